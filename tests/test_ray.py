"""``mt-audit batch --engine ray`` on a local Ray instance: the outputs of the local engine,
byte for byte; failures reported by name while the rest completes."""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from test_cli import mt_audit

pytest.importorskip("ray", reason="Ray is the optional extra mt-audit[ray] (installed by make install)")
pytestmark = pytest.mark.slow

ARTICLES = {
    "eins": ("Die Armee rückte 40 Meilen vor. Ein Sprecher sagte, der Blitzkrieg sei vorbei.\n\n"
             "Am Montag gab es keine neuen Angriffe.\n",
             "The army advanced 40 miles. A spokesman said the blitz was over.\n\n"
             "There were no new attacks on Monday.\n"),
    "zwei": ("Die Regierung in Berlin beschloss am Dienstag neue Hilfen für 2 Millionen Familien.\n", None),
    "drei": ("Kim Jong Un traf den Minister. Kim Jong-un sprach von einem \"Erfolg\".\n", None),
}


def _corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    for name, (german, english) in ARTICLES.items():
        (corpus / f"{name}.de.txt").write_text(german, encoding="utf-8")
        if english:
            (corpus / f"{name}.en.txt").write_text(english, encoding="utf-8")
    return corpus


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_ray_engine_writes_what_the_local_engine_writes(tiny_model, tmp_path):
    corpus = _corpus(tmp_path)
    common = ["--source-dir", corpus, "--model", tiny_model, "--backend", "marian", "--format",
              "html,json,junit,sarif", "--fail-on", "major"]
    local = mt_audit("batch", corpus, "--out", tmp_path / "local", *common,
                     env={"MT_AUDIT_CACHE_DIR": str(tmp_path / "cache-local")})
    ray = mt_audit("batch", corpus, "--out", tmp_path / "ray", "--engine", "ray", *common,
                   env={"MT_AUDIT_CACHE_DIR": str(tmp_path / "cache-ray")})
    assert local.returncode == ray.returncode == 1, ray.stderr[-3000:]
    assert _files(tmp_path / "local") == _files(tmp_path / "ray")
    assert "3 documents audited" in " ".join(ray.stdout.split())
    # the driver keeps the translation cache: a rerun sends nothing to the cluster
    again = mt_audit("batch", corpus, "--out", tmp_path / "ray2", "--engine", "ray", *common,
                     env={"MT_AUDIT_CACHE_DIR": str(tmp_path / "cache-ray")})
    assert "0 distinct sentences sent to the model" in " ".join(again.stdout.split())


def test_a_document_that_fails_is_named_and_the_rest_completes(tmp_path):
    corpus = _corpus(tmp_path)
    (corpus / "kaputt.de.txt").write_bytes(bytes(range(256)) * 40)
    result = mt_audit("batch", corpus, "--out", tmp_path / "out", "--engine", "ray", "--backend", "none",
                      "--format", "json")
    assert result.returncode == 2
    assert "kaputt.de.txt is binary" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["corpus.jsonl", "drei.json", "eins.json",
                                                                      "zwei.json"]


def test_a_worker_that_dies_is_reported_by_name(tmp_path, monkeypatch):
    import ray

    from audit.apps import ray_engine
    from audit.apps.corpus import find_source
    from audit.pipeline import AuditSettings, Auditor

    corpus = _corpus(tmp_path)
    original = ray_engine._finish

    def dies_on_zwei(row, **options):
        if pickle.loads(row["doc"]).name == "zwei":
            os._exit(1)  # the worker process dies
        return original(row, **options)

    monkeypatch.setattr(ray_engine, "_finish", dies_on_zwei)
    files = sorted(corpus.glob("*.de.txt"))
    written = []
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        outcome = ray_engine.audit_corpus_ray(
            Auditor(AuditSettings(backend="none", quiet=True)), files, [find_source(f, corpus) for f in files],
            tmp_path / "out", ["json"], {}, None, lambda doc, passed, files: written.append(doc.name))
    finally:
        ray.shutdown()
    assert sorted(written) == ["drei", "eins"]
    assert [path for path, _ in outcome.errors] == [str(corpus / "zwei.de.txt")]
    assert outcome.exit_code == 4


def test_without_ray_the_engine_names_the_extra(tmp_path):
    shadow = tmp_path / "shadow" / "ray"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no ray here')\n", encoding="utf-8")
    corpus = _corpus(tmp_path)
    result = mt_audit("batch", corpus, "--engine", "ray", "--backend", "none", "--out", tmp_path / "out",
                      env={"PYTHONPATH": str(tmp_path / "shadow")})
    assert result.returncode == 2
    assert "[ray]'" in result.stderr and "pip install '" in result.stderr and "Traceback" not in result.stderr
