"""Back-translation through the real transformers code path (tiny model), the cache,
chunking, and the model-loading errors."""
from __future__ import annotations

import sqlite3

import pytest

from audit.errors import ModelUnavailable
from audit.pipeline import AuditSettings, Auditor
from audit.translate import DecodingSettings
from audit.translate.cache import TranslationCache
from audit.translate.chunk import split_for_model
from audit.translate.engine import CachedTranslator
from audit.translate.loader import resolve
from audit.translate.marian import MarianTranslator

from conftest import DEMO, REAL_TOKENIZER


@pytest.fixture(scope="module")
def translator(tiny_model):
    return MarianTranslator(resolve(str(tiny_model), "main"), DecodingSettings(beam_size=2, batch_size=4), quiet=True)


def test_translate_returns_text_logprob_and_token_probabilities(translator):
    results = translator.translate(["Die Munition ist alt.", "", "!!!", "🙂🙂", "Russland erhält Granaten."])
    assert len(results) == 5
    assert results[1].text == "" and results[1].tokens == []
    for r in (results[0], results[4]):
        assert r.text and r.logprob < 0 and 0 < r.confidence <= 1
        assert all(0 <= p <= 1 for _, p in r.tokens)


def test_translation_is_deterministic(translator):
    sentences = ["Die Munition ist alt.", "Russland erhält Granaten aus Nordkorea.", "Kim profitiert."]
    first = translator.translate(sentences)
    second = translator.translate(sentences)
    assert [(r.text, r.logprob) for r in first] == [(r.text, r.logprob) for r in second]


@pytest.mark.slow
def test_the_target_side_shortlist_changes_nothing_the_model_would_choose(tiny_model, tmp_path, monkeypatch):
    """A model that (like a trained opus-mt) never prefers a source-only piece translates
    and scores the same with and without the shortlist; the random tiny model itself,
    which does prefer them, is kept to target pieces by it."""
    import shutil

    import torch
    from transformers import MarianMTModel

    import audit.translate.marian as marian
    from audit.translate.loader import target_side_pieces

    folder = tmp_path / "target-only"
    shutil.copytree(tiny_model, folder)
    model = MarianMTModel.from_pretrained(str(folder))
    vocab = {piece: i for i, piece in enumerate(target_side_pieces(folder))}
    allowed = [MarianTranslator(resolve(str(folder), "main"), DecodingSettings()).tokenizer.get_vocab()[p]
               for p in vocab]
    mask = torch.full_like(model.final_logits_bias, -30.0)
    mask[0, allowed + [0, 1, model.config.pad_token_id]] = 0
    model.final_logits_bias.data += mask
    model.save_pretrained(str(folder))
    texts = ["Die Munition ist alt.", "Russland erhält Granaten aus Nordkorea und zahlt mit Öl."]
    settings = DecodingSettings(beam_size=3, batch_size=4)
    short = MarianTranslator(resolve(str(folder), "main"), settings).translate(texts)
    monkeypatch.setattr(marian, "SHORTLIST", False)
    full = MarianTranslator(resolve(str(folder), "main"), settings).translate(texts)
    assert [r.text for r in short] == [r.text for r in full]
    for a, b in zip(short, full):
        assert [t for t, _ in a.tokens] == [t for t, _ in b.tokens]
        assert a.logprob == pytest.approx(b.logprob, abs=1e-3)
    monkeypatch.setattr(marian, "SHORTLIST", True)
    plain = MarianTranslator(resolve(str(tiny_model), "main"), settings)
    assert plain.shortlist
    assert all(tok in vocab for r in plain.translate(texts) for tok, _ in r.tokens)


@pytest.mark.parametrize("beam", [2, 4])
def test_token_scores_from_the_beam_search_equal_teacher_forcing(tiny_model, monkeypatch, beam):
    import audit.translate.marian as marian

    monkeypatch.setattr(marian, "SHORTLIST", False)
    texts = ["Die Munition ist alt.", "Russland erhält Granaten aus Nordkorea und zahlt mit Öl.", "Ja."]
    settings = DecodingSettings(beam_size=beam, batch_size=4)
    recorded = MarianTranslator(resolve(str(tiny_model), "main"), settings)
    calls = []
    monkeypatch.setattr(recorded, "_teacher_forced", lambda *a: calls.append(a))
    steps = recorded.translate(texts)
    assert not calls  # every token was found in the beam search's record
    monkeypatch.setattr(marian, "STEP_SCORES", False)
    forced = MarianTranslator(resolve(str(tiny_model), "main"), settings).translate(texts)
    for a, b in zip(steps, forced):
        assert a.text == b.text and [t for t, _ in a.tokens] == [t for t, _ in b.tokens]
        assert a.logprob == pytest.approx(b.logprob, abs=1e-4)
        assert [p for _, p in a.tokens] == pytest.approx([p for _, p in b.tokens], abs=1e-5)


@pytest.mark.slow
def test_over_long_sentence_is_chunked_not_truncated(translator):
    clause = "die Lieferungen aus Nordkorea haben Russland im Kampf gehalten"
    sentence = ", ".join([clause] * 60) + "."
    assert translator.count_tokens(sentence) > 512
    [result] = translator.translate([sentence])
    assert result.chunks > 1


def test_split_for_model_cuts_at_clause_boundaries():
    text = "Erstens das hier, zweitens das da; drittens noch mehr – und viertens Schluss."
    chunks = split_for_model(text, lambda s: len(s.split()), 5)
    assert all(len(c.split()) <= 5 for c in chunks)
    assert " ".join(chunks) == text


def test_cache_translates_only_changed_sentences(translator, tmp_path):
    cached = CachedTranslator(translator, TranslationCache(tmp_path))
    cached.translate(["Die Munition ist alt.", "Russland erhält Granaten."])
    assert (cached.hits, cached.misses) == (0, 2)
    cached.translate(["Die Munition ist alt.", "Russland erhält neue Granaten."])
    assert (cached.hits, cached.misses) == (1, 3)


def test_corrupt_cache_is_set_aside_and_rebuilt(translator, tmp_path):
    (tmp_path / "translations.sqlite").write_bytes(b"this is not a database" * 100)
    cache = TranslationCache(tmp_path)
    assert cache.warning and "corrupt" in cache.warning
    assert list(tmp_path.glob("translations.sqlite.corrupt-*"))
    cached = CachedTranslator(translator, cache)
    cached.translate(["Die Munition ist alt."])
    cached.translate(["Die Munition ist alt."])
    assert cached.hits == 1
    with sqlite3.connect(tmp_path / "translations.sqlite") as conn:
        assert conn.execute("select count(*) from translations").fetchone()[0] == 1


def test_model_directory_missing_files_is_named(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelUnavailable, match="missing source.spm, target.spm, vocab.json"):
        resolve(str(tmp_path), "main")


def test_missing_hub_model_offline_names_model_and_cache(monkeypatch):
    with pytest.raises(ModelUnavailable) as err:
        resolve("Helsinki-NLP/opus-mt-de-en", "main")
    message = str(err.value)
    assert "Helsinki-NLP/opus-mt-de-en" in message and "cache" in message and "--model PATH" in message


@pytest.mark.slow
def test_full_pipeline_with_tiny_model(tiny_model, tmp_path):
    auditor = Auditor(AuditSettings(model=str(tiny_model), decoding=DecodingSettings(beam_size=2, batch_size=8),
                                    cache_dir=str(tmp_path), quiet=True))
    doc = auditor.audit(DEMO)
    prose = [s for s in doc.segments if s.is_prose]
    assert all(s.back_translation is not None and s.bt_confidence is not None for s in prose)
    assert all(s.back_translation is None for s in doc.segments if not s.is_prose)
    assert doc.translation.model == str(tiny_model) and doc.translation.revision.startswith("local-")
    assert doc.translation.translated == len({s.text for s in prose})
    again = auditor.audit(DEMO)
    assert again.translation.translated == 0 and again.translation.from_cache == len(prose)


@pytest.mark.skipif(not (REAL_TOKENIZER / "source.spm").exists(), reason="opus-mt-de-en tokenizer files absent")
def test_real_opus_mt_tokenizer_round_trips_the_demo():
    from transformers import MarianTokenizer

    from audit.text.ingest import ingest
    from audit.text.segment import segment_document

    tokenizer = MarianTokenizer.from_pretrained(str(REAL_TOKENIZER))
    doc = ingest(DEMO)
    segment_document(doc)
    for seg in doc.segments:
        ids = tokenizer(seg.text)["input_ids"]
        assert ids[-1] == tokenizer.eos_token_id and len(ids) < 512
        decoded = tokenizer.decode(ids, skip_special_tokens=True)
        assert decoded.replace(" ", "")[:20] == seg.text.replace(" ", "")[:20]


# --- the ctranslate2 backend and the int8 option -------------------------------------------

@pytest.fixture(scope="module")
def ct2_translator(tiny_model, tmp_path_factory):
    from audit.translate.ct2 import CTranslate2Translator

    cache = tmp_path_factory.mktemp("ct2cache")
    return CTranslate2Translator(resolve(str(tiny_model), "main"), DecodingSettings(beam_size=2, batch_size=4),
                                 quiet=True, cache_dir=cache)


def test_ctranslate2_backend_returns_the_same_result_type(ct2_translator):
    from audit.translate.ct2 import is_ct2_dir

    assert is_ct2_dir(ct2_translator.path) and (ct2_translator.path / "source.spm").is_file()
    results = ct2_translator.translate(["Die Munition ist alt.", "", "🙂🙂", "Russland erhält Granaten."])
    assert results[1].text == "" and results[1].tokens == []
    for r in (results[0], results[3]):
        assert r.text and r.logprob < 0 and 0 < r.confidence <= 1
        assert all(0 <= p <= 1 for _, p in r.tokens)
    again = ct2_translator.translate(["Die Munition ist alt.", "", "🙂🙂", "Russland erhält Granaten."])
    assert [(r.text, r.logprob) for r in again] == [(r.text, r.logprob) for r in results]


def test_ctranslate2_decodes_from_the_target_side_shortlist(ct2_translator, tiny_model):
    import sentencepiece

    target = sentencepiece.SentencePieceProcessor(model_file=str(tiny_model / "target.spm"))
    allowed = {target.id_to_piece(i) for i in range(target.get_piece_size())}
    shortlist = set((ct2_translator.path / "vmap.txt").read_text(encoding="utf-8").split())
    assert ct2_translator.shortlist and shortlist <= allowed and len(shortlist) > len(allowed) // 2
    results = ct2_translator.translate(["Die Munition ist alt.", "Russland erhält Granaten aus Nordkorea."])
    # the tiny model's shared vocabulary has four times as many source pieces as target ones
    assert all(token in allowed for r in results for token, _ in r.tokens)


def test_ctranslate2_conversion_is_reused_and_can_be_given_as_model(ct2_translator, tiny_model):
    from audit.translate.ct2 import CTranslate2Translator, convert

    stamp = (ct2_translator.path / "model.bin").stat().st_mtime_ns
    assert convert(resolve(str(tiny_model), "main"), ct2_translator.path.parent.parent) == ct2_translator.path
    assert (ct2_translator.path / "model.bin").stat().st_mtime_ns == stamp
    direct = CTranslate2Translator(resolve(str(ct2_translator.path), "main"), DecodingSettings(beam_size=2),
                                   quiet=True)
    assert direct.translate(["Die Munition ist alt."])[0].text


def test_a_failed_conversion_falls_back_to_marian_or_exits_3(tiny_model, monkeypatch, tmp_path):
    import ctranslate2.converters

    from audit.translate.engine import open_translator

    def broken(self, *args, **kwargs):
        raise RuntimeError("unsupported layer")

    monkeypatch.setattr(ctranslate2.converters.TransformersConverter, "convert", broken)
    monkeypatch.setenv("MT_AUDIT_CACHE_DIR", str(tmp_path))
    warnings: list[str] = []
    t = open_translator("ctranslate2", str(tiny_model), "main", DecodingSettings(), quiet=True,
                        warnings=warnings)
    assert t.backend == "marian"
    assert len(warnings) == 1 and "conversion" in warnings[0] and "marian" in warnings[0]
    with pytest.raises(ModelUnavailable, match="conversion"):
        open_translator("ctranslate2", str(tiny_model), "main", DecodingSettings(), quiet=True, fallback=False)
    assert not list((tmp_path / "ctranslate2").glob("*/model.bin"))  # nothing half-written left


def test_ct2_directory_without_tokenizer_files_is_named(ct2_translator, tmp_path):
    import shutil

    broken = tmp_path / "ct2"
    shutil.copytree(ct2_translator.path, broken)
    (broken / "target.spm").unlink()
    with pytest.raises(ModelUnavailable, match="target.spm"):
        resolve(str(broken), "main")


def test_int8_option_quantises_and_changes_the_cache_key(tiny_model):
    import torch

    plain = DecodingSettings(beam_size=2)
    int8 = DecodingSettings(beam_size=2, quantize="int8")
    assert plain.signature() != int8.signature()
    t = MarianTranslator(resolve(str(tiny_model), "main"), int8, quiet=True)
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in t.model.modules())
    result = t.translate(["Die Munition ist alt."])[0]
    assert result.text and 0 < result.confidence <= 1


@pytest.mark.parametrize("folder", ["tiny", "real"])
def test_ctranslate2_tokenisation_matches_marian_tokenizer(folder, tiny_model):
    from transformers import MarianTokenizer

    from audit.text.ingest import ingest
    from audit.text.segment import segment_document
    from audit.translate.ct2 import MarianPieces

    path = tiny_model if folder == "tiny" else REAL_TOKENIZER
    if not (path / "source.spm").exists():
        pytest.skip("opus-mt-de-en tokenizer files absent")
    doc = ingest(DEMO)
    segment_document(doc)
    texts = [s.text for s in doc.segments] + ["„Zitat“ – 11.000 Container…", "🙂", ""]
    reference, ours = MarianTokenizer.from_pretrained(str(path)), MarianPieces(path)
    for text in texts:
        expected = reference.convert_ids_to_tokens(reference.encode(text)) if text else []
        assert ours.encode_tokens(text)[:-1] == expected[:-1] if text else ours.tokenize(text) == []
    ids = reference.encode("Die Munition ist alt.")
    tokens = reference.convert_ids_to_tokens(ids)
    assert ours.decode(tokens) == reference.decode(ids, skip_special_tokens=True)
