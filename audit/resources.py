"""Loading the data files shipped in ``audit/data`` (editable TOML)."""
from __future__ import annotations

import stat
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


# The largest configuration, glossary or baseline file read (a house glossary is kilobytes).
MAX_AUXILIARY_BYTES = 16 * 1024 * 1024


def read_user_file(path: str | Path, what: str, limit: int = MAX_AUXILIARY_BYTES) -> bytes:
    """The bytes of a file the user named beside the input (configuration, glossary,
    baseline), with the input rules: a regular file (never a device or a pipe, which would
    be read forever or block), at most ``limit`` bytes; anything else one sentence."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"The {what} file {path} does not exist.") from None
    except OSError as err:
        raise ConfigError(f"The {what} file {path} cannot be read ({err.strerror}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"The {what} file {path} is a directory, not a file.")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"The {what} file {path} is not a regular file (a device, pipe or socket).")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # never more, whatever the file claims
    except OSError as err:
        raise ConfigError(f"The {what} file {path} cannot be read ({err.strerror}).") from None
    if len(data) > limit:
        raise ConfigError(f"The {what} file {path} is larger than the limit of {limit // (1024 * 1024)} MB.")
    return data


def load_user_toml(path: str | Path, what: str) -> dict[str, Any]:
    """Parse a user-supplied TOML file, or fail with one sentence."""
    data = read_user_file(path, what)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"The {what} file {path} is not UTF-8 text; TOML files are UTF-8.") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"The {what} file {path} is not valid TOML ({err}).") from None
    except RecursionError:
        raise ConfigError(f"The {what} file {path} nests tables or arrays too deeply to be read.") from None
