"""The ``mt-audit eval`` measurements, on small evaluation folders built in the test."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit.apps.cli import main
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


def _demetr(root, rows):
    folder = root / "drift"
    folder.mkdir(parents=True)
    (folder / "demetr-de.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _demetr_rows(language_tag=None, first_id=0):
    base = [("The minister said the talks had not failed.", "The minister said the negotiations had not failed."),
            ("Russia bought 300 shells from North Korea.", "Russia purchased 300 shells from North Korea."),
            ("The storm damaged the houses in Texas.", "The storm damaged houses in Texas."),
            ("She won the race in Berlin on Sunday.", "She won the race on Sunday in Berlin.")]
    rows = []
    for number, (eng, mt) in enumerate(base):
        perts = [("critical", mt.replace("not ", "") if "not " in mt else mt.replace("the", "no", 1)),
                 ("critical", mt.replace("300", "900").replace("Texas", "Ohio").replace("She", "He").replace(
                     "minister", "minister Smith")),
                 ("minor", mt.rstrip("."))]
        for severity, pert in perts:
            row = {"id": first_id + number, "src_sent": "", "eng_sent": eng, "mt_sent": mt, "pert_sent": pert,
                   "severity": severity, "pert_name": f"{severity}_{len(rows) % 3}", "pert_check": True}
            if language_tag:
                row["lang_tag"] = language_tag
            rows.append(row)
    rows.append({"id": first_id + 9, "src_sent": "", "eng_sent": "A.", "mt_sent": "A.", "pert_sent": "A.",
                 "severity": "critical", "pert_name": "unchanged", "pert_check": False})
    return rows


def _two_files(root):
    _demetr(root, _demetr_rows())
    (root / "drift" / "demetr-multi.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in _demetr_rows("czech", 100) + _demetr_rows("spanish", 200)),
        encoding="utf-8")


def test_eval_drift_measures_by_file_language_and_perturbation(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    _two_files(tmp_path)
    out, tuned = tmp_path / "drift.json", tmp_path / "tuned.toml"
    result = CliRunner().invoke(main, ["eval", "drift", str(tmp_path), "--json", str(out), "--tune", str(tuned)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    # left out: rows marked pert_check false, and those whose perturbation changed nothing
    assert figures["rows"] == 30 and figures["mt_rows"] == 12
    assert set(figures["by_file"]) == {"demetr-de.jsonl", "demetr-multi.jsonl"}
    assert set(figures["by_language"]) == {"de", "czech", "spanish"}
    assert set(figures["by_perturbation"]) == {"critical_0", "critical_1", "minor_2"}
    shipped = figures["shipped"]
    assert set(shipped) == {"false_major_rate", "false_flag_rate", "recall_major", "recall_any"}
    assert set(shipped["recall_major"]) == {"critical", "minor"}
    assert set(figures["pairwise_accuracy"]) == {"critical", "minor"}
    assert figures["pairwise_accuracy"]["critical"] >= 0.75
    # fitted without each language, measured on it, and averaged
    lolo = figures["left_out_language"]
    assert set(lolo["by_language"]) == {"de", "czech", "spanish"}
    assert set(lolo["average"]["shipped"]) == set(shipped)
    import tomllib

    config = tomllib.loads(tuned.read_text())
    assert 0 < config["drift"]["minor"] <= config["drift"]["major"] < 1
    assert all(weight > 0 for weight in config["drift"]["weights"].values())  # every signal raises drift
    # The fitted file is a valid --config for the evaluation and for mt-audit check.
    again = CliRunner().invoke(main, ["eval", "drift", str(tmp_path), "--config", str(tuned)])
    assert again.exit_code == 0, again.output
    assert list((tmp_path / "cache" / "drift-features").glob("*.json.gz"))  # signals computed once, kept


def test_eval_drift_ablation_refits_without_each_signal(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    _two_files(tmp_path)
    out = tmp_path / "drift.json"
    result = CliRunner().invoke(main, ["eval", "drift", str(tmp_path), "--ablation", "--json", str(out)])
    assert result.exit_code == 0, result.output
    table = json.loads(out.read_text())["ablation_critical"]
    assert "- chrf" in table and "- negation" in table and "all signals" in table
    assert set(table["- negation"]) == {"pairwise", "recall major", "false major"}


def test_eval_drift_with_a_broken_file_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("MT_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "drift").mkdir()
    (tmp_path / "drift" / "demetr-de.jsonl").write_text('{"eng_sent": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "drift", str(tmp_path)])
    assert result.exit_code == 2 and "lacks the field" in result.output


def test_eval_contrastive_counts_recall_and_false_alarms(tmp_path):
    _contrastive(tmp_path, "negation.human", [
        ("The bill has not passed.", "Der Entwurf ist nicht durchgekommen.", "Der Entwurf ist durchgekommen."),
        ("No player can call.", "Kein Spieler kann telefonieren.", "Ein Spieler kann telefonieren."),
        ("He confessed 11 murders.", "Er gestand elf Morde.", "Er gestand elf Morde."),
        ("We never lost.", "Wir haben verloren.", "Wir haben verloren."),
    ])
    out = tmp_path / "c.json"
    result = CliRunner().invoke(main, ["eval", "contrastive", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == {"negation.human": {"recall": 0.75, "false_alarm_rate": 0.25,
                                                              "pairs": 4}}


def test_eval_alignment_scores_links_against_the_gold(tmp_path):
    (tmp_path / "alignment").mkdir()
    document = {"source_translated": ["Le conseil de Bonn a voté 12 nouvelles écoles lundi.",
                                      "Il pleuvait fort.", "Le maire Weber était content."],
                "target": ["Lundi, le conseil de Bonn a approuvé 12 nouvelles écoles.",
                           "Il pleuvait fort et le maire Weber était content."],
                "gold": [[[0], [0]], [[1, 2], [1]]]}
    (tmp_path / "alignment" / "textberg.json").write_text(json.dumps({"documents": [document]}), encoding="utf-8")
    out = tmp_path / "alignment.json"
    for options in (["--word-weight", "0"], ["--word-weight", "0.5"], ["--word-weight", "1"],
                    ["--move-margin", "none"], ["--move-margin", "0.3"],
                    ["--embedding-weight", "0.5", "--unrelated-share-embedded", "1.0"]):
        result = CliRunner().invoke(main, ["eval", "alignment", str(tmp_path), "--json", str(out), *options])
        assert result.exit_code == 0, result.output
        assert json.loads(out.read_text())["textberg"]["strict"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    result = CliRunner().invoke(main, ["eval", "alignment", str(tmp_path), "--move-margin", "half"])
    assert result.exit_code == 2 and "neither a number nor 'none'" in result.output
    result = CliRunner().invoke(main, ["eval", "alignment", str(tmp_path), "--embedding-weight", "1.5"])
    assert result.exit_code == 2 and "--embedding-weight" in result.output


def test_eval_alignment_with_a_broken_file_is_one_sentence(tmp_path):
    (tmp_path / "alignment").mkdir()
    (tmp_path / "alignment" / "textberg.json").write_text('{"documents": [{"target": []}]}', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "alignment", str(tmp_path)])
    assert result.exit_code == 2 and "not in the expected format" in result.output
    assert "Traceback" not in result.output


def test_eval_mqm_counts_flags_on_erroneous_and_clean_segments(tmp_path):
    (tmp_path / "mqm").mkdir()
    header = "system\tdoc\tseg_id\tmqm_penalty\tmajor_accuracy\tany_accuracy\tcategories\tsource_en\ttarget_de\n"
    rows = [("A", 5.0, 1, "He did not come.", "Er kam."),
            ("A", 0.0, 0, "He did not come.", "Er kam nicht."),
            ("B", 0.0, 0, "These two holes are 120 feet deep.", "Diese beiden Löcher sind 40 Meter tief."),
            ("B", 0.0, 0, "He paid 11 dollars.", "Er zahlte zwölf Dollar.")]
    (tmp_path / "mqm" / "mqm_ted_ende.seglevel.tsv").write_text(header + "".join(
        f"{system}\ttalk\t{i}\t{penalty}\t{major}\t{major}\t\t{en}\t{de}\n"
        for i, (system, penalty, major, en, de) in enumerate(rows)), encoding="utf-8")
    out = tmp_path / "mqm.json"
    result = CliRunner().invoke(main, ["eval", "mqm", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())["ted"]
    assert figures["major_accuracy_error"] == {"segments": 1, "flag_rate": 1.0}
    assert figures["no_error"] == {"segments": 3, "flag_rate": 0.3333}
    assert figures["no_error_by_check"] == {"number": 0.3333}


def test_eval_mqm_when_the_first_batch_raises_no_issue(tmp_path):
    # the checks' column is typed up front: a first batch with no issue at all is no type error
    (tmp_path / "mqm").mkdir()
    header = "system\tdoc\tseg_id\tmqm_penalty\tmajor_accuracy\tany_accuracy\tcategories\tsource_en\ttarget_de\n"
    clean = [("0.0", 0, "He came.", "Er kam.")] * 300
    (tmp_path / "mqm" / "mqm_ted_ende.seglevel.tsv").write_text(header + "".join(
        f"A\ttalk\t{i}\t{penalty}\t{major}\t{major}\t\t{en}\t{de}\n"
        for i, (penalty, major, en, de) in enumerate(clean + [("5.0", 1, "He did not come.", "Er kam.")])),
        encoding="utf-8")
    out = tmp_path / "mqm.json"
    result = CliRunner().invoke(main, ["eval", "mqm", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["ted"]["major_accuracy_error"] == {"segments": 1, "flag_rate": 1.0}


def test_the_meaning_threshold_is_bounded_on_every_professional_set_and_measured_with_each_left_out():
    from audit.evaluate.mqm_wmt import professional_budget

    def rows(scores, words):
        return [{"words": words, "passages": [{"score": s} for s in scores]}]

    budget = professional_budget({"news": rows([0.2, 0.5, 0.95], 2000), "posts": rows([0.3, 0.97, 0.99], 2000),
                                  "talks": rows([0.1], 2000)}, per_1000=0.25)
    # one finding allowed in 6000 words pooled: the threshold sits just above the second score
    assert budget["all, pooled"]["threshold"] == 0.9701
    # fitted on news and talks (one allowed in 4000 words), both post scores above it
    assert budget["posts left out"] == {"threshold": 0.5001, "per_1000": 1.0}
    assert budget["talks left out"]["per_1000"] == 0.0


def test_eval_mqm_without_its_columns_is_one_sentence(tmp_path):
    (tmp_path / "mqm").mkdir()
    (tmp_path / "mqm" / "mqm_ted_ende.seglevel.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "mqm", str(tmp_path)])
    assert result.exit_code == 2 and "lacks the column" in result.output and "Traceback" not in result.output


def _precision_set(root, name, docs):
    folder = root / "precision" / name
    folder.mkdir(parents=True)
    for stem, (english, german) in docs.items():
        (folder / f"{stem}.en.txt").write_text(english, encoding="utf-8")
        (folder / f"{stem}.de.txt").write_text(german, encoding="utf-8")


def test_eval_precision_counts_findings_per_1000_words(tmp_path):
    _precision_set(tmp_path, "year1", {
        "good": ("The council met on Monday.\nIt approved the budget.\n",
                 "Der Rat trat am Montag zusammen.\nEr billigte den Haushalt.\n"),
        "changed": ("Turnout was 61 percent.\n", "Die Wahlbeteiligung lag bei 16 Prozent.\n"),
    })
    _precision_set(tmp_path, "year2", {
        "miles": ("The town is 40 miles away.\n", "Der Ort liegt 40 Meilen entfernt.\n"),
    })
    out = tmp_path / "p.json"
    result = CliRunner().invoke(main, ["eval", "precision", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    year1, year2 = figures["year1"], figures["year2"]
    assert year1["documents"] == 2 and year1["words"] == 16 and year1["major"] == 1
    assert year1["major_per_1000"] == round(1000 / 16, 3)
    assert year1["by_check"]["source.number"] == {"major": 1, "minor": 0, "per_1000": round(1000 / 16, 3)}
    assert year2["major"] == 0 and year2["by_check"]["units"]["minor"] == 1
    assert figures["all"]["words"] == 22 and figures["all"]["findings"] == 2
    [major] = figures["major_findings"]
    assert major["document"] == "changed.de.txt" and major["check"] == "source.number"
    assert "changed.de.txt" in result.output  # every major finding is listed


def test_eval_precision_without_data_is_one_sentence(tmp_path):
    result = CliRunner().invoke(main, ["eval", "precision", str(tmp_path)])
    assert result.exit_code == 2 and "No precision sets" in result.output


_NEWS_DE = ["Die Stadt Bonn baut {n} neue Schulen.", "Der Rat stimmte am Montag mit großer Mehrheit zu, "
            "nachdem die Opposition ihre Bedenken zurückgezogen hatte.", "Die Kosten liegen bei {n} Millionen Euro.",
            "Bürgermeisterin Weber sprach von einem guten Tag für die Familien der Stadt."]
_NEWS_EN = ["The city of Bonn is building {n} new schools.", "The council approved the plan on Monday by a large "
            "majority, after the opposition withdrew its concerns.", "The costs are {n} million euros.",
            "Mayor Weber spoke of a good day for the city's families."]


def _precision_corpus(root, documents: int = 6, lines: int = 40):
    folder = root / "precision" / "newsset"
    folder.mkdir(parents=True)
    for d in range(documents):
        de = [_NEWS_DE[k % 4].format(n=d * 100 + k) for k in range(lines)]
        en = [_NEWS_EN[k % 4].format(n=d * 100 + k) for k in range(lines)]
        (folder / f"doc{d}.de.txt").write_text("\n".join(de) + "\n", encoding="utf-8")
        (folder / f"doc{d}.en.txt").write_text("\n".join(en) + "\n", encoding="utf-8")


def test_news_alignment_set_is_seeded_and_its_gold_follows_from_the_edits(tmp_path):
    from audit.evaluate.news_alignment import news_documents

    _precision_corpus(tmp_path)
    first, again = news_documents(tmp_path), news_documents(tmp_path)
    assert first == again                                       # seeded: reproducible
    documents = first["newsset"]
    assert len(documents) == 6
    units = sum(len(d["german"]) for d in documents)
    english = sum(len(d["english"]) for d in documents)
    assert units != english                                     # edits changed the structure
    for doc in documents:
        assert len(doc["german"]) == len(doc["stand_in"])
        linked_de = [i for a, _ in doc["gold"] for i in a]
        linked_en = [j for _, b in doc["gold"] for j in b]
        assert len(set(linked_de)) == len(linked_de) and len(set(linked_en)) == len(linked_en)
        assert linked_de == sorted(linked_de) and linked_en == sorted(linked_en)  # monotone
        for a, b in doc["gold"]:
            # a linked German unit carries the figure of each English sentence it translates
            for j in b:
                figure = doc["english"][j].split()[-3] if "million" in doc["english"][j] else None
                if figure and figure.isdigit():
                    assert any(figure in doc["german"][i] for i in a)
    merged = [a for doc in documents for a, b in doc["gold"] if len(b) > 1]
    split = [a for doc in documents for a, b in doc["gold"] if len(a) > 1]
    unlinked = [i for doc in documents for i in range(len(doc["german"]))
                if i not in {k for a, _ in doc["gold"] for k in a}]
    assert merged and split and unlinked


def test_eval_alignment_reports_both_paths_of_the_news_set(tmp_path):
    from audit.evaluate.alignment import eval_alignment

    (tmp_path / "alignment").mkdir()
    document = {"source_translated": ["Le conseil a voté lundi.", "Il pleuvait."],
                "target": ["Lundi, le conseil a voté.", "Il pleuvait."], "gold": [[[0], [0]], [[1], [1]]]}
    (tmp_path / "alignment" / "textberg.json").write_text(json.dumps({"documents": [document]}), encoding="utf-8")
    _precision_corpus(tmp_path, documents=3, lines=24)
    figures = eval_alignment(tmp_path)
    from audit.align.crosslingual import encoder

    expected = {"textberg", "news newsset model-free", "news newsset translated"}
    if encoder() is not None:  # measured with the multilingual encoder and on surface forms alone
        expected.add("news newsset model-free surface")
    assert set(figures) == expected
    assert figures["news newsset translated"]["strict"]["f1"] > 0.9
    assert all("seconds" in f for f in figures.values())
