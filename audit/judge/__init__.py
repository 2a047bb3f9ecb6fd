"""Judges of meaning: quality-estimation models that read an English source and its German
and give each passage a score (``Judge``: pairs in, scores out, batched).

* ``metricx``: Google's MetricX-23 / MetricX-24 (Apache-2.0, mT5 through ``transformers``),
  QE mode: source and German, no reference;
* ``calibration``: what a judge's score means for an editor, stored as data
  (``audit/data/judges.toml``): per published metric the thresholds that map its score to a
  major finding (the gate) and a minor one (review), fitted on development data against the
  product's budgets on professional translations, and the robust centre and spread that put
  two judges on one scale so that their mean ranks (fusion);
* ``findings``: a judged passage as a finding at the sentence its score singles out;
* ``replay``: the published scores of a metric on evaluation lines standing in for a model's
  output, so that calibration, fusion and the gate are measured as a user with that model
  would get them (``mt-audit eval mqm --qe-replay``; never in an audit).
"""
from __future__ import annotations

from .base import JUDGES, Judge, JudgeUnavailable, open_judge

__all__ = ["JUDGES", "Judge", "JudgeUnavailable", "open_judge"]
