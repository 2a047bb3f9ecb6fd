"""Settings: thresholds and weights (``data/thresholds.toml``, overridable)."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .resources import load_data, load_user_toml


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    config = copy.deepcopy(load_data("thresholds"))
    if path is None:
        return config
    user = load_user_toml(path, "configuration")
    for section, values in user.items():
        if section not in config or not isinstance(values, dict):
            raise ConfigError(f"The configuration file {path} has an unknown section [{section}]; "
                              f"known sections: {', '.join(sorted(config))}.")
        for key, value in values.items():
            if key not in config[section]:
                raise ConfigError(f"The configuration file {path} has an unknown key {section}.{key}.")
            if type(value) is not type(config[section][key]) and not (
                    isinstance(value, (int, float)) and isinstance(config[section][key], float)):
                raise ConfigError(f"The configuration key {section}.{key} in {path} must be a "
                                  f"{type(config[section][key]).__name__}.")
            config[section][key] = value
    return config
