"""The one interface a judge of meaning plugs into: (source, German) pairs in, one score per
pair out on the judge's own scale, batched by the judge.  ``open_judge`` loads one by kind."""
from __future__ import annotations

from typing import Protocol

from ..errors import JudgeUnavailable

# kind -> (the published metric whose calibration applies, the default checkpoint)
JUDGES = {
    "metricx": ("MetricX-23-QE", "google/metricx-23-qe-large-v2p0"),
}


class Judge(Protocol):
    kind: str  # "metricx"
    metric: str  # the published metric its calibration is for ("MetricX-23-QE")
    model_id: str  # checkpoint id or local folder
    revision: str

    def score(self, pairs: list[tuple[str, str]]) -> list[float]:
        """One score per (English source, German) pair, on the metric's own scale."""
        ...


def open_judge(kind: str, model: str | None = None, **options) -> Judge:
    """Load the judge ``kind`` (its default checkpoint, or ``model``: an id or a local
    folder), or JudgeUnavailable with one sentence saying what is missing."""
    if kind == "metricx":
        from .metricx import MetricX

        return MetricX(model or JUDGES[kind][1], **options)
    raise JudgeUnavailable(f"There is no quality-estimation judge {kind!r}; there are {', '.join(JUDGES)}.")
