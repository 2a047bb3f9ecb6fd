"""The one interface a judge of meaning plugs into: (source, German) pairs in, one score per
pair out on the judge's own scale, batched by the judge.  ``open_judge`` loads one by kind."""
from __future__ import annotations

from typing import Protocol

from ..errors import JudgeUnavailable

# kind -> (the published metric whose calibration applies, the default checkpoint)
JUDGES = {
    "metricx": ("MetricX-23-QE", "google/metricx-23-qe-large-v2p0"),
    "comet": ("CometKiwi", "Unbabel/wmt22-cometkiwi-da"),
}


class Judge(Protocol):
    kind: str  # "metricx", "comet"
    metric: str  # the published metric its calibration is for ("MetricX-23-QE")
    model_id: str  # checkpoint id or local folder
    revision: str

    def score(self, pairs: list[tuple[str, str]]) -> list[float]:
        """One score per (English source, German) pair, on the metric's own scale."""
        ...

    # Optional: ``fits(pairs) -> list[bool]``, whether each pair is within what the model reads
    # at once (a paragraph that is not is scored by its passages); ``names_spans`` and
    # ``assess(pairs)``, for a judge that names the wrong words (the LLM, XCOMET).


def open_judge(kind: str, model: str | None = None, cache_dir: str | None = None, use_cache: bool = True,
               **options) -> Judge:
    """Load the judge ``kind`` (its default checkpoint, or ``model``: an id or a local
    folder), or JudgeUnavailable with one sentence saying what is missing.  ``cache_dir`` and
    ``use_cache`` are for the judges that keep their whole answers (XCOMET's spans)."""
    if kind == "metricx":
        from .metricx import MetricX

        return MetricX(model or JUDGES[kind][1], **options)
    if kind == "comet":
        from .comet import Comet

        return Comet(model or JUDGES[kind][1], cache_dir=cache_dir, use_cache=use_cache, **options)
    raise JudgeUnavailable(f"There is no quality-estimation judge {kind!r}; there are {', '.join(JUDGES)}.")
