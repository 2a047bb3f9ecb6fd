"""Everything that decides what a passage means and how sure that is.  Judges of meaning are
models that read an English source and its German and give each paragraph a score
(``Judge``: pairs in, scores out, batched):

* ``metricx``: Google's MetricX-23 / MetricX-24 (Apache-2.0, mT5 through ``transformers``),
  QE mode: source and German, no reference;
* ``comet``: Unbabel's CometKiwi and XCOMET through unbabel-comet, in an environment of its own
  (``comet_worker`` runs there; XCOMET also names error spans);
* ``llm``: an LLM at an OpenAI-compatible endpoint asked the GEMBA-MQM way, which also names the
  wrong words (its error spans);
* the evidence that needs no model: back-translation drift (``drift``, ``signals``), the
  model-free reading of meaning (``modelfree``, ``bilingual``), the source checks for figures,
  negation and omission (``sourcechecks``) and the structural ones (``structure``), turned into
  findings by ``flag``;
* ``calibration``: what the judges' scores mean for an editor, stored as data
  (``audit/data/judges.toml``): each metric's robust scale on good translations, and per judge
  or set of judges the weight of the model-free evidence beside them and the thresholds that
  map a paragraph's risk to a major finding (the gate) or a minor one (review), fitted on
  development data against the product's budgets on professional translations;
* ``findings``: a judged paragraph as findings at the words a judge names, else at the sentence
  its scores single out.

Replay (``mt-audit eval mqm --qe-replay``, ``audit/evaluate/measures.py``) makes the published
scores of a metric on evaluation lines stand in for a model's output, so that calibration,
fusion and the gate are measured through the same ``Calibration.verdict`` an audit uses; it
never runs in an audit.
"""
from __future__ import annotations

from .base import JUDGES, Judge, JudgeUnavailable, open_judge

__all__ = ["JUDGES", "Judge", "JudgeUnavailable", "open_judge"]
