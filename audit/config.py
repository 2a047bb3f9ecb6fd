"""Settings: thresholds and weights (``data/thresholds.toml``, overridable)."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .resources import load_data, load_user_toml


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _merge(config: dict, user: dict, where: str, path) -> None:
    """Merge ``user`` into ``config``: known keys only, values of the same type, tables
    merged key by key.  ``drift.evidence`` is replaced as a whole (a fitted file lists
    exactly the evidence it chose); ``drift.weights`` may name any drift signal."""
    from .drift import EVIDENCE, GRADED

    signals = set(GRADED) | set(EVIDENCE)
    for key, value in user.items():
        name = f"{where}.{key}" if where else key
        if name == "drift.evidence":
            if not isinstance(value, dict) or any(
                    k not in signals or not isinstance(v, dict) or set(v) != {"above", "weight"}
                    or not all(_number(x) for x in v.values()) for k, v in value.items()):
                raise ConfigError(f"The configuration key drift.evidence in {path} must map drift signals to "
                                  f"{{ above = NUMBER, weight = NUMBER }}.")
            config[key] = value
            continue
        if name == "drift.weights" and isinstance(value, dict):
            bad = [k for k, v in value.items() if k not in signals or not _number(v)]
            if bad:
                raise ConfigError(f"The configuration key drift.weights.{bad[0]} in {path} must name a drift signal "
                                  f"and hold a number; signals: {', '.join(sorted(signals))}.")
            config[key] = {**config.get(key, {}), **value}
            continue
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


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    config = copy.deepcopy(load_data("thresholds"))
    if path is not None:
        _merge(config, load_user_toml(path, "configuration"), "", path)
    return config
