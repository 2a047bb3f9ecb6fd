"""Loading the data files shipped in ``audit/data`` (editable TOML)."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError


@lru_cache(maxsize=None)
def load_data(name: str) -> dict[str, Any]:
    """Parse ``audit/data/<name>.toml``."""
    with resources.files("audit.data").joinpath(f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def load_user_toml(path: str | Path, what: str) -> dict[str, Any]:
    """Parse a user-supplied TOML file, or fail with one sentence."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"The {what} file {path} does not exist.") from None
    except IsADirectoryError:
        raise ConfigError(f"The {what} file {path} is a directory, not a file.") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"The {what} file {path} is not valid TOML ({err}).") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The {what} file {path} is not UTF-8 text; TOML files are UTF-8.") from None
    except OSError as err:
        raise ConfigError(f"The {what} file {path} cannot be read ({err.strerror}).") from None
