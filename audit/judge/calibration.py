"""What a judge's score means, as data (``audit/data/judges.toml``).

Each published metric has its own scale and direction (MetricX: an error from 0 to 25,
higher worse; COMET: a quality from 0 to 1, higher better).  Its ``[metric]`` entry holds the
robust centre and spread of its error-oriented score on error-free machine translation, which
put judges on one scale: the mean of two judges' robust z-scores ranks better than either
alone (two models err on different paragraphs).  A ``[verdict]`` entry, for one judge or
several together, adds the paragraph's model-free risk at a weight that raised the ranking on
development domains it was not fitted on, and holds the thresholds that map the risk to a
major finding (the gate) and a minor one (review), fitted so that the findings on
professional translations stay within half the product's budgets (``FIT_SHARE`` of
``MAJOR_PER_1000`` and ``ALL_PER_1000`` per 1000 German words), a margin for text of other
registers.  Every entry says what it was fitted on.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from statistics import median

from ..errors import ConfigError

MAJOR = "major"
MINOR = "minor"
# The product's budgets on professional translations, per 1000 German words: major findings
# (what fails the gate) and findings of any severity (what an editor reviews).
MAJOR_PER_1000 = 0.3
ALL_PER_1000 = 2.0
# The share of each budget that the thresholds are fitted to on the professional translations
# they are fitted on: half, so that text of another register stays within the whole.  Fitted
# on social posts and reviews at the whole budgets, MetricX-23-QE raised 2.1 major findings per
# 1000 words on professional translations of meeting transcripts (1.7 at half), joined with
# GEMBA-MQM 1.4 (1.0), and 5.1 and 4.2 findings in all (2.7 and 2.0); gate recall on the
# domain left out, pooled, 0.28 -> 0.26 and 0.29 -> 0.25 (`docs/measurements.md`).
FIT_SHARE = 0.5
DATA = Path(__file__).resolve().parent.parent / "data" / "judges.toml"
# The published metrics' scales: (orientation, low, high, the column of their published
# scores in the evaluation data, where every column is turned so that higher is better).
SCALES = {
    "MetricX-23-QE": ("error", 0.0, 25.0, "MetricX-23-QE-src"),
    "XCOMET-QE": ("quality", 0.0, 1.0, "XCOMET-QE-Ensemble-src"),
    "CometKiwi": ("quality", 0.0, 1.0, "CometKiwi-src"),
    "CometKiwi-XXL": ("quality", 0.0, 1.0, "CometKiwi-XXL-src"),
    "GEMBA-MQM": ("error", 0.0, 25.0, "GEMBA-MQM-src"),
}


def template(name: str) -> "Metric":
    """An uncalibrated entry of a published metric (its scale only)."""
    orientation, low, high, replay = SCALES[name]
    return Metric(name=name, orientation=orientation, low=low, high=high, centre=0.0, spread=1.0, replay=replay)


def from_published(name: str, value: float) -> float:
    """A published score (turned so that higher is better) on the metric's own scale."""
    return -value if SCALES[name][0] == "error" else value


@dataclass(frozen=True)
class Metric:
    """One published metric's scale: its direction, its ends, and the robust centre and
    spread of its error-oriented score on good translations (which put judges on one scale)."""

    name: str
    orientation: str  # "error": higher is worse; "quality": higher is better
    low: float  # the ends of its scale, for messages
    high: float
    centre: float
    spread: float
    replay: str = ""  # the column of the published scores that stands for it
    fitted_on: str = ""

    def error(self, score: float) -> float:
        """The score turned so that higher is worse."""
        return score if self.orientation == "error" else -score

    def z(self, score: float) -> float:
        return (self.error(score) - self.centre) / self.spread

    def describe(self, score: float) -> str:
        what = "error" if self.orientation == "error" else "quality"
        digits = 2 if self.high < 10 else 1
        return f"{self.name} {what} {score:.{digits}f} of {self.high:g}"


@dataclass(frozen=True)
class Rule:
    """How one judge, or several together, decide: a paragraph's risk is the mean of the
    judges' robust z-scores plus ``model_free_weight`` times its model-free risk (the
    strongest model-free finding on it), and is major / minor from these thresholds."""

    names: tuple[str, ...]
    major: float
    minor: float
    model_free_weight: float = 0.0
    fitted_on: str = ""

    def severity(self, risk: float) -> str | None:
        if risk >= self.major:
            return MAJOR
        if risk >= self.minor:
            return MINOR
        return None


@dataclass
class Calibration:
    metrics: dict[str, Metric] = field(default_factory=dict)
    rules: dict[tuple[str, ...], Rule] = field(default_factory=dict)

    def metric(self, name: str) -> Metric:
        try:
            return self.metrics[name]
        except KeyError:
            raise ConfigError(f"No calibration for the judge {name!r}; calibrated are "
                              f"{', '.join(sorted(self.metrics)) or 'none'}.") from None

    def rule(self, names: tuple[str, ...]) -> Rule:
        try:
            return self.rules[tuple(sorted(names))]
        except KeyError:
            raise ConfigError(f"No calibration for the judges {' + '.join(sorted(names))} together; "
                              f"calibrated are {', '.join(' + '.join(k) for k in sorted(self.rules)) or 'none'}.") \
                from None

    def verdict(self, scores: dict[str, float], model_free: float = 0.0) -> "Verdict":
        """The severity and the risk (higher is worse) of a paragraph that the judges named
        in ``scores`` scored, its model-free risk being ``model_free``."""
        names = tuple(sorted(scores))
        if not names:
            return Verdict(None, 0.0, names)
        rule = self.rule(names)
        zs = [self.metric(n).z(scores[n]) for n in names]
        risk = sum(zs) / len(zs) + rule.model_free_weight * model_free
        return Verdict(rule.severity(risk), risk, names)


@dataclass(frozen=True)
class Verdict:
    severity: str | None
    risk: float  # higher is worse
    judges: tuple[str, ...]


def model_free_risk(findings, meaning: float = 0.0) -> float:
    """A paragraph's risk from the model-free checks alone: its strongest finding (majors
    above every minor, then by confidence; ``findings`` as (severity, confidence)), ties
    broken by its passages' highest model-free meaning score ``meaning``."""
    best = 0.0
    for severity, confidence in findings:
        best = max(best, confidence + (1.0 if severity == MAJOR else 0.0) + 1.0)
    return best + 1e-3 * meaning


def _number(table: dict, key: str, where: str) -> float:
    value = table.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ConfigError(f"The judge calibration {where} lacks a number for {key!r}.")
    return float(value)


def parse(data: dict, where: str = "judges.toml") -> Calibration:
    out = Calibration()
    for name, table in (data.get("metric") or {}).items():
        if not isinstance(table, dict):
            raise ConfigError(f"The judge calibration {where}: [metric.{name}] is not a table.")
        orientation = table.get("orientation")
        if orientation not in ("error", "quality"):
            raise ConfigError(f"The judge calibration {where}: [metric.{name}] needs orientation "
                              "'error' or 'quality'.")
        spread = _number(table, "spread", where)
        if spread <= 0:
            raise ConfigError(f"The judge calibration {where}: [metric.{name}] spread must be positive.")
        out.metrics[name] = Metric(name=name, orientation=orientation, low=_number(table, "low", where),
                                   high=_number(table, "high", where), centre=_number(table, "centre", where),
                                   spread=spread, replay=str(table.get("replay", "")),
                                   fitted_on=str(table.get("fitted_on", "")))
    for key, table in (data.get("verdict") or {}).items():
        names = tuple(sorted(key.split("+")))
        unknown = [n for n in names if n not in out.metrics]
        if unknown or not isinstance(table, dict):
            raise ConfigError(f"The judge calibration {where}: [verdict.{key!r}] names a metric with no "
                              f"[metric] entry ({', '.join(unknown) or key}).")
        out.rules[names] = Rule(names=names, major=_number(table, "major", where), minor=_number(table, "minor", where),
                                model_free_weight=float(table.get("model_free_weight", 0.0)),
                                fitted_on=str(table.get("fitted_on", "")))
    return out


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Calibration:
    file = Path(path) if path else DATA
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"The judge calibration {file} cannot be read ({err.strerror}).") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"The judge calibration {file} is not valid TOML ({err}).") from None
    return parse(data, str(file))


# --- fitting -----------------------------------------------------------------------------

def robust_scale(values: list[float]) -> tuple[float, float]:
    """Median and 1.4826 times the median absolute deviation (the standard deviation for
    normal data, unmoved by a tail of broken paragraphs)."""
    centre = median(values)
    spread = 1.4826 * median(abs(v - centre) for v in values)
    return centre, spread if spread > 0 else 1.0


def budget_threshold(errors: list[float], words: int, per_1000: float) -> float:
    """The error-oriented threshold (flag at or above) that raises at most ``per_1000``
    findings per 1000 words on paragraphs scoring ``errors``: just above the first paragraph
    not allowed, so that every paragraph worse than it is flagged."""
    ordered = sorted(errors, reverse=True)
    allowed = int(per_1000 * words / 1000)
    if allowed >= len(ordered):
        return ordered[-1] - 1.0 if ordered else 0.0
    return math.nextafter(ordered[allowed], math.inf)


def fit_metric(template: Metric, good: list[float], fitted_on: str) -> Metric:
    """``template``'s scale with the robust centre and spread of the scores ``good`` of good
    translations (on the metric's own scale)."""
    centre, spread = robust_scale([template.error(v) for v in good])
    return Metric(name=template.name, orientation=template.orientation, low=template.low, high=template.high,
                  centre=round(centre, 6), spread=round(spread, 6), replay=template.replay, fitted_on=fitted_on)


def fit_rule(names: tuple[str, ...], professional_risks: list[float], words: int, major_per_1000: float,
             all_per_1000: float, model_free_weight: float, fitted_on: str) -> Rule:
    """Thresholds on the risk that keep the findings on professional paragraphs (their risks,
    ``words`` German words in all) within the budgets."""
    major = budget_threshold(professional_risks, words, major_per_1000)
    minor = min(major, budget_threshold(professional_risks, words, all_per_1000))
    return Rule(names=tuple(sorted(names)), major=major, minor=minor, model_free_weight=model_free_weight,
                fitted_on=fitted_on)


def to_toml(calibration: Calibration, header: str) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for m in calibration.metrics.values():
        lines += ["", f'[metric."{m.name}"]', f'orientation = "{m.orientation}"', f"low = {m.low}",
                  f"high = {m.high}", f"centre = {m.centre}", f"spread = {m.spread}", f'replay = "{m.replay}"',
                  f'fitted_on = "{m.fitted_on}"']
    for r in calibration.rules.values():
        lines += ["", f'[verdict."{"+".join(r.names)}"]', f"major = {r.major}", f"minor = {r.minor}",
                  f"model_free_weight = {r.model_free_weight}", f'fitted_on = "{r.fitted_on}"']
    return "\n".join(lines) + "\n"
