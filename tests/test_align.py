"""Sentence alignment and its scoring."""
from __future__ import annotations

from audit.align import align_sentences
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
