"""Settings: thresholds and weights (``data/thresholds.toml``, overridable)."""
from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .resources import load_data, load_user_toml


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _merge(config: dict, user: dict, where: str, path) -> None:
    """Merge ``user`` into ``config``: known keys only, values of the same type (numbers
    finite), tables merged key by key.  ``drift.weights`` may name any drift signal, and
    ``qe.weights`` any quality-estimation feature; each is replaced as a whole (a fitted
    file lists exactly the weights of its model)."""
    from .judge.drift import SIGNALS
    from .judge.modelfree import FEATURES

    for key, value in user.items():
        name = f"{where}.{key}" if where else key
        if name in ("drift.weights", "qe.weights") and isinstance(value, dict):
            known, what = (SIGNALS, "drift signal") if name == "drift.weights" else (FEATURES, "quality-estimation feature")
            bad = [k for k, v in value.items() if k not in known or not _number(v)]
            if bad:
                raise ConfigError(f"The configuration key {name}.{bad[0]} in {path} must name a {what} "
                                  f"and hold a finite number; {what}s: {', '.join(known)}.")
            config[key] = dict(value)
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"The configuration key {name} in {path} must be a finite number, not {value}.")
        if key not in config:
            kind = "section" if not where else "key"
            known = f"; known sections: {', '.join(sorted(config))}" if not where else ""
            raise ConfigError(f"The configuration file {path} has an unknown {kind} {name}{known}.")
        current = config[key]
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"The configuration key {name} in {path} must be a table.")
            _merge(current, value, name, path)
        elif type(value) is not type(current) and not (_number(value) and isinstance(current, float)):
            raise ConfigError(f"The configuration key {name} in {path} must be a {type(current).__name__}.")
        else:
            config[key] = value


# Keys whose value is one of a few words.
CHOICES = {"gate.fail_on": ("major", "minor", "never")}


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    config = copy.deepcopy(load_data("thresholds"))
    if path is not None:
        _merge(config, load_user_toml(path, "configuration"), "", path)
        for key, allowed in CHOICES.items():
            section, name = key.split(".")
            if config[section][name] not in allowed:
                raise ConfigError(f"The configuration key {key} in {path} must be one of {', '.join(allowed)}, "
                                  f"not {config[section][name]!r}.")
        from .checks.catalog import BY_ID

        unknown = [c for c in config["checks"]["disabled"] if not isinstance(c, str) or c not in BY_ID]
        if unknown:
            raise ConfigError(f"The configuration key checks.disabled in {path} names {unknown[0]!r}, which is no "
                              f"check; `mt-audit checks` lists them.")
    return config
