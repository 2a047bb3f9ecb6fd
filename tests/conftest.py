"""Shared fixtures: the demo article, and a tiny MarianMT model built at test time.

The tiny model has random weights but is a real MarianMTModel with real
sentencepiece tokenizers, saved with save_pretrained and loaded through the
same loader users get: tokenise, batch, generate, decode and score all run.
"""
from __future__ import annotations

import json
import random
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "nordkorea-munition.de.txt"
SHARED = ROOT.parent / "shared"
REAL_TOKENIZER = SHARED / "models" / "opus-mt-de-en"

_EN_SUBJECTS = ["The army", "The government", "Russia", "North Korea", "The minister", "Experts", "The report",
                "Ukraine", "The president", "Analysts", "The United States", "China"]
_EN_VERBS = ["sent", "received", "said", "delivered", "reported", "denied", "expected", "produced", "bought"]
_EN_OBJECTS = ["11,000 containers", "1.6 million shells", "new weapons", "no details", "oil and food",
               "the ammunition", "two million rounds", "advanced technology", "a defence pact", "500 miles"]
_EN_TAILS = ["last year.", "in the summer.", "on Monday.", "to the front.", "according to officials.",
             "despite the sanctions.", "within a week.", "for the third year."]


def _english_sentences(count: int) -> list[str]:
    rng = random.Random(7)
    return [f"{rng.choice(_EN_SUBJECTS)} {rng.choice(_EN_VERBS)} {rng.choice(_EN_OBJECTS)} {rng.choice(_EN_TAILS)}"
            for _ in range(count)]


def _german_sentences() -> list[str]:
    from audit.text.segment import segmenter

    text = DEMO.read_text(encoding="utf-8")
    out = [text[a:b] for a, b in segmenter("de").spans(text)]
    return out


def build_tiny_marian(directory: Path) -> Path:
    """A real (tiny, random-weight) MarianMT model with real sentencepiece tokenizers."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    corpora = {"source": _german_sentences() * 3, "target": _english_sentences(400)}
    for side, sentences in corpora.items():
        corpus = directory / f"{side}.txt"
        corpus.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus), model_prefix=str(directory / side), vocab_size=400 if side == "source" else 100,
            character_coverage=1.0, model_type="unigram", bos_id=-1, eos_id=0, unk_id=1, pad_id=-1,
            eos_piece="</s>", unk_piece="<unk>", minloglevel=2, num_threads=1)
        (directory / f"{side}.model").rename(directory / f"{side}.spm")
        corpus.unlink()
        (directory / f"{side}.vocab").unlink()
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for side in ("source", "target"):
        processor = spm.SentencePieceProcessor(model_file=str(directory / f"{side}.spm"))
        for i in range(processor.get_piece_size()):
            vocab.setdefault(processor.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(source_spm=str(directory / "source.spm"), target_spm=str(directory / "target.spm"),
                                vocab=str(directory / "vocab.json"), source_lang="de", target_lang="en")
    tokenizer.save_pretrained(str(directory))
    config = MarianConfig(
        vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=32, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
        max_position_embeddings=512, pad_token_id=vocab["<pad>"], eos_token_id=0, forced_eos_token_id=0,
        decoder_start_token_id=vocab["<pad>"], bos_token_id=0, share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config)
    model.generation_config.max_length = 40
    model.generation_config.num_beams = 2
    model.generation_config.bad_words_ids = [[vocab["<pad>"]]]
    model.save_pretrained(str(directory))
    return directory


def line_document(german: list[str], english: list[str], back: list[str] | None = None):
    """A document of one German segment per line ("s1", "s2", ...) with its English source of
    one segment per line ("e1", ...), back-translations where ``back`` gives them; not aligned."""
    from audit.document import Document, Segment, SourceSegment

    segments, start = [], 0
    for k, text in enumerate(german):
        segments.append(Segment(id=f"s{k + 1}", paragraph=k, kind="body", start=start, end=start + len(text),
                                text=text, back_translation=back[k] if back else None,
                                bt_confidence=0.9 if back else None))
        start += len(text) + 1
    source, start = [], 0
    for k, text in enumerate(english):
        source.append(SourceSegment(id=f"e{k + 1}", start=start, end=start + len(text), text=text))
        start += len(text) + 1
    return Document(path="x.de.txt", name="x", text="\n".join(german), segments=segments,
                    source_text="\n".join(english) + "\n", source_segments=source)


def build_tiny_metricx(directory: Path, version: int = 23) -> Path:
    """A real (tiny, random-weight) MetricX checkpoint: an mT5 whose vocabulary reaches the
    entry the score is read at, with an mT5-style sentencepiece tokenizer in its folder."""
    import sentencepiece as spm
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration, T5Tokenizer

    directory.mkdir(parents=True, exist_ok=True)
    corpus = directory / "corpus.txt"
    corpus.write_text("\n".join(_german_sentences() + _english_sentences(300)) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(directory / "spiece"), vocab_size=500, character_coverage=1.0,
        model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>",
        unk_piece="<unk>", minloglevel=2, num_threads=1)
    corpus.unlink()
    (directory / "spiece.vocab").unlink()
    T5Tokenizer(vocab_file=str(directory / "spiece.model"), extra_ids=0).save_pretrained(str(directory))
    config = MT5Config(vocab_size=250112, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_decoder_layers=1,
                       num_heads=2, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                       tie_word_embeddings=False)
    torch.manual_seed(version)
    MT5ForConditionalGeneration(config).save_pretrained(str(directory))
    return directory


@pytest.fixture(scope="session")
def tiny_metricx(tmp_path_factory) -> Path:
    return build_tiny_metricx(tmp_path_factory.mktemp("tiny") / "metricx-23-qe-tiny")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def _unpacked_langid(tmp_path_factory) -> Path:
    """The language identifier's model, unpacked once for the session (as the cache folder
    keeps it), so that the commands the tests run do not each unpack it again."""
    from audit.text.segment import _langid_model

    folder = tmp_path_factory.mktemp("langid")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MT_AUDIT_CACHE_DIR", str(folder))
        _langid_model()
    return next(folder.glob("py3langid-*.npz"))


DICTIONARY = ROOT / "tests" / "data" / "ding-sample.de-en"


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path, monkeypatch, _unpacked_langid):
    """Tests never touch the user's translation cache nor the network."""
    cache = tmp_path.with_name(tmp_path.name + "-cache")  # beside it: tests may expect tmp_path empty
    cache.mkdir()
    (cache / _unpacked_langid.name).symlink_to(_unpacked_langid)
    monkeypatch.setenv("MT_AUDIT_CACHE_DIR", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # the word evidence reads a small dictionary of the tests' own, the same on every machine
    monkeypatch.setenv("MT_AUDIT_DICTIONARY", str(DICTIONARY))
    monkeypatch.delenv("MT_AUDIT_MODEL", raising=False)


@pytest.fixture
def demo_text() -> str:
    return DEMO.read_text(encoding="utf-8")


@contextmanager
def running_server(app=None, config=None):
    """``app`` (or the uvicorn ``config`` given) served by uvicorn on a free local port in a
    thread; yields the port."""
    import uvicorn

    server = uvicorn.Server(config or uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def comet_python() -> str | None:
    """The Python of an environment with unbabel-comet, found as the judge finds it (``make
    comet`` builds one at .venv-comet; $MT_AUDIT_COMET_PYTHON names another), or None where
    there is none."""
    import subprocess

    from audit.judge import JudgeUnavailable
    from audit.judge.comet import comet_python as judges_python

    try:
        chosen = judges_python()
    except JudgeUnavailable:
        return None
    ok = subprocess.run([chosen, "-I", "-c", "import comet.models"], capture_output=True, timeout=300)
    return chosen if ok.returncode == 0 else None


@pytest.fixture(scope="session")
def comet_env() -> str:
    found = comet_python()
    if found is None:
        pytest.skip("no COMET environment (unbabel-comet cannot share mt-audit's; `make comet` builds one)")
    return found


def _tiny_comet(python: str, directory: Path, *options: str) -> Path:
    import subprocess

    done = subprocess.run([python, "-I", str(ROOT / "tests" / "data" / "build_tiny_comet.py"), str(directory),
                           *options], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return directory


@pytest.fixture(scope="session")
def tiny_cometkiwi(comet_env, tmp_path_factory) -> Path:
    """A real (tiny, random-weight) CometKiwi-shaped checkpoint, laid out as the hub's."""
    return _tiny_comet(comet_env, tmp_path_factory.mktemp("tiny-comet") / "wmt22-cometkiwi-da-tiny")


@pytest.fixture(scope="session")
def tiny_xcomet(comet_env, tmp_path_factory) -> Path:
    """A real (tiny, random-weight) XCOMET checkpoint, which also names error spans."""
    return _tiny_comet(comet_env, tmp_path_factory.mktemp("tiny-xcomet") / "xcomet-tiny", "--xcomet")
