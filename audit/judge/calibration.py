"""What a judge's score means, as data (``audit/data/judges.toml``).

Each published metric has its own scale and direction (MetricX: an error from 0 to 25,
higher worse; COMET: a quality from 0 to 1, higher better).  Its entry holds the thresholds
that map a paragraph's score to a major finding (the gate) and to a minor one (review),
fitted on development data so that the findings they raise on professional translations
stay within the product's budgets (``MAJOR_PER_1000`` and ``ALL_PER_1000`` findings per
1000 German words), and the robust centre and spread of its error-oriented score on
error-free machine translation, which put two judges on one scale: their mean robust z-score ranks
better than either alone (two models err on different paragraphs).  A combination has its
own thresholds (``[fusion."A+B"]``).  Every entry says what it was fitted on.
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
    return Metric(name=name, orientation=orientation, low=low, high=high, major=high, minor=high,
                  centre=0.0, spread=1.0, replay=replay)


def from_published(name: str, value: float) -> float:
    """A published score (turned so that higher is better) on the metric's own scale."""
    return -value if SCALES[name][0] == "error" else value


@dataclass(frozen=True)
class Metric:
    """One published metric's scale and calibration."""

    name: str
    orientation: str  # "error": higher is worse; "quality": higher is better
    low: float  # the ends of its scale, for messages
    high: float
    major: float  # thresholds on the metric's own scale
    minor: float
    centre: float  # robust centre and spread of the error-oriented score
    spread: float
    replay: str = ""  # the column of the published scores that stands for it
    fitted_on: str = ""

    def error(self, score: float) -> float:
        """The score turned so that higher is worse."""
        return score if self.orientation == "error" else -score

    def z(self, score: float) -> float:
        return (self.error(score) - self.centre) / self.spread

    def severity(self, score: float) -> str | None:
        e = self.error(score)
        if e >= self.error(self.major):
            return MAJOR
        if e >= self.error(self.minor):
            return MINOR
        return None

    def describe(self, score: float) -> str:
        what = "error" if self.orientation == "error" else "quality"
        return f"{self.name} {what} {score:.2f} of {self.high:g}" if self.high < 10 else \
            f"{self.name} {what} {score:.1f} of {self.high:g}"


@dataclass(frozen=True)
class Fusion:
    """Thresholds on the mean robust z-score of several metrics."""

    names: tuple[str, ...]
    major: float
    minor: float
    fitted_on: str = ""

    def severity(self, combined: float) -> str | None:
        if combined >= self.major:
            return MAJOR
        if combined >= self.minor:
            return MINOR
        return None


@dataclass
class Calibration:
    metrics: dict[str, Metric] = field(default_factory=dict)
    fusions: dict[tuple[str, ...], Fusion] = field(default_factory=dict)

    def metric(self, name: str) -> Metric:
        try:
            return self.metrics[name]
        except KeyError:
            raise ConfigError(f"No calibration for the judge {name!r}; calibrated are "
                              f"{', '.join(sorted(self.metrics)) or 'none'}.") from None

    def verdict(self, scores: dict[str, float]) -> "Verdict":
        """The severity and the ranking score (higher is worse) of a paragraph that the judges
        named in ``scores`` scored: one judge by its own thresholds, several by the
        thresholds of their combination (each alone where it has none)."""
        names = tuple(sorted(scores))
        if not names:
            return Verdict(None, 0.0, names)
        zs = [self.metric(n).z(scores[n]) for n in names]
        combined = sum(zs) / len(zs)
        if len(names) == 1:
            return Verdict(self.metric(names[0]).severity(scores[names[0]]), combined, names)
        fusion = self.fusions.get(names)
        if fusion is not None:
            return Verdict(fusion.severity(combined), combined, names)
        ranked = [self.metric(n).severity(scores[n]) for n in names]
        worst = MAJOR if MAJOR in ranked else MINOR if MINOR in ranked else None
        return Verdict(worst, combined, names)


@dataclass(frozen=True)
class Verdict:
    severity: str | None
    risk: float  # the mean robust z-score: higher is worse
    judges: tuple[str, ...]


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
                                   high=_number(table, "high", where), major=_number(table, "major", where),
                                   minor=_number(table, "minor", where), centre=_number(table, "centre", where),
                                   spread=spread, replay=str(table.get("replay", "")),
                                   fitted_on=str(table.get("fitted_on", "")))
    for key, table in (data.get("fusion") or {}).items():
        names = tuple(sorted(key.split("+")))
        unknown = [n for n in names if n not in out.metrics]
        if unknown or len(names) < 2:
            raise ConfigError(f"The judge calibration {where}: [fusion.{key!r}] names no two calibrated metrics.")
        out.fusions[names] = Fusion(names=names, major=_number(table, "major", where),
                                    minor=_number(table, "minor", where), fitted_on=str(table.get("fitted_on", "")))
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


def fit_metric(template: Metric, machine: list[float], professional: list[float], words: int,
               major_per_1000: float, all_per_1000: float, fitted_on: str) -> Metric:
    """``template``'s scale with thresholds fitted to the budgets on professional paragraphs
    (their scores ``professional``, ``words`` German words in all) and the robust scale of
    the machine translations' scores ``machine`` (all on the metric's own scale)."""
    turn = template.error
    centre, spread = robust_scale([turn(v) for v in machine])
    errs = [turn(v) for v in professional]
    major_e = budget_threshold(errs, words, major_per_1000)
    minor_e = min(major_e, budget_threshold(errs, words, all_per_1000))
    back = (lambda e: e) if template.orientation == "error" else (lambda e: -e)
    return Metric(name=template.name, orientation=template.orientation, low=template.low, high=template.high,
                  major=back(major_e), minor=back(minor_e), centre=round(centre, 6),
                  spread=round(spread, 6), replay=template.replay, fitted_on=fitted_on)


def fit_fusion(metrics: list[Metric], professional: list[dict[str, float]], words: int,
               major_per_1000: float, all_per_1000: float, fitted_on: str) -> Fusion:
    combined = [sum(m.z(p[m.name]) for m in metrics) / len(metrics) for p in professional]
    major = budget_threshold(combined, words, major_per_1000)
    minor = min(major, budget_threshold(combined, words, all_per_1000))
    return Fusion(names=tuple(sorted(m.name for m in metrics)), major=major, minor=minor,
                  fitted_on=fitted_on)


def to_toml(calibration: Calibration, header: str) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for m in calibration.metrics.values():
        lines += ["", f'[metric."{m.name}"]', f'orientation = "{m.orientation}"', f"low = {m.low}",
                  f"high = {m.high}", f"major = {m.major}", f"minor = {m.minor}", f"centre = {m.centre}",
                  f"spread = {m.spread}", f'replay = "{m.replay}"', f'fitted_on = "{m.fitted_on}"']
    for f in calibration.fusions.values():
        lines += ["", f'[fusion."{"+".join(f.names)}"]', f"major = {f.major}", f"minor = {f.minor}",
                  f'fitted_on = "{f.fitted_on}"']
    return "\n".join(lines) + "\n"
