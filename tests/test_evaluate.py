"""The ``mt-audit eval`` measurements, on small evaluation folders built in the test."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit.cli import main
from audit.evaluate.segmentation import boundary_counts, eval_article, eval_news_text, single_sentence

from conftest import DEMO


def _contrastive(root, name, rows):
    folder = root / "contrastive" / name
    folder.mkdir(parents=True)
    for index, file in enumerate(("src.en", "tgt.correct.de", "tgt.incorrect.de")):
        (folder / file).write_text("".join(row[index] + "\n" for row in rows), encoding="utf-8")
    return folder


GERMAN = [
    ("He did not come.", "Er kam am 2. Oktober nicht nach Berlin.", "Er kam am 2. Oktober nach Berlin."),
    ("We know.", "„Wir wissen es“, sagte er am 23. und 24. Mai.", "„Wir wissen es“, sagte er."),
    ("He has no car.", "Er hat kein Auto, u. a. weil es teuer ist.", "Er hat ein Auto, u. a. weil es teuer ist."),
    ("Two sentences.", "Das ist einer. Das ist zwei.", "Das ist einer. Das ist zwei."),
    ("No end", "Keine Satzzeichen am Ende", "Keine Satzzeichen am Ende"),
]


def test_single_sentence_filter():
    assert single_sentence("Er kam am 2. Oktober nicht nach Berlin.")
    assert single_sentence("„Wir wissen es“, sagte er am 23. und 24. Mai.")
    assert not single_sentence("„Wir wissen es“, sagte Dr. Müller.")  # unsure: left out
    assert not single_sentence("Das ist einer. Das ist zwei.")
    assert not single_sentence("Keine Satzzeichen am Ende")


def test_boundary_counts():
    # gold: three units; predicted: one boundary right, one extra
    gold = [(0, 5), (6, 10), (11, 20)]
    predicted = [(0, 5), (6, 8), (9, 20)]
    assert boundary_counts(gold, predicted) == (1, 2, 2)


def test_news_text_from_contrastive_sets(tmp_path):
    _contrastive(tmp_path, "a.human", GERMAN * 3)
    figures = eval_news_text(tmp_path)
    assert figures["sentences"] == 3  # duplicates and unsure lines left out
    assert figures["lines_read"] == 15
    assert figures["f1"] == 1.0


def test_demo_article_against_its_hand_segmentation():
    figures = eval_article(DEMO)
    assert figures == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "kind_accuracy": 1.0, "units": 75}


def test_a_wrong_kind_and_a_missed_boundary_are_measured(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Überschrift ohne Punkt\n\nDer erste Satz steht hier. Der zweite Satz folgt.\n",
                       encoding="utf-8")
    gold = [{"kind": "headline", "text": "Überschrift ohne Punkt"},
            {"kind": "quote", "text": "Der erste Satz steht hier."},
            {"kind": "body", "text": "Der zweite"}, {"kind": "body", "text": "Satz folgt."}]
    (tmp_path / "a.gold.jsonl").write_text("".join(json.dumps(u) + "\n" for u in gold), encoding="utf-8")
    figures = eval_article(article)
    assert figures["recall"] == pytest.approx(2 / 3, abs=1e-3) and figures["precision"] == 1.0
    assert figures["kind_accuracy"] == 0.25


def test_eval_segmentation_command_writes_json(tmp_path):
    _contrastive(tmp_path, "a.human", GERMAN)
    out = tmp_path / "seg.json"
    result = CliRunner().invoke(main, ["eval", "segmentation", str(tmp_path), "--article", str(DEMO),
                                       "--json", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    assert figures["nordkorea-munition.de.txt"]["f1"] == 1.0 and "news-text" in figures


def test_eval_segmentation_without_data_is_one_sentence(tmp_path):
    result = CliRunner().invoke(main, ["eval", "segmentation", str(tmp_path), "--article", str(DEMO)])
    assert result.exit_code == 2
    assert "No contrastive sets" in result.output and "Traceback" not in result.output
