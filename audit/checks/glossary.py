"""House-style glossaries (``--glossary FILE``): read, and checked against the shipped data.

A glossary is a TOML file whose sections are the data of the checks (``units``, ``terms``,
``names``, ``calques``, ``anglicisms``) and ``boilerplate``.  It is checked the way the
configuration is: every section and key must exist in the shipped data file of that name,
with a value of the same type (a list of tables holds tables with the keys the shipped
entries use, and the keys every shipped entry has); a ``severity`` is ``major`` or
``minor``; every regular expression compiles, matches at least one character, and does
not backtrack catastrophically (a repeated group that itself repeats, ``(a+)+``, is
refused, and so is a pattern that does not finish quickly on texts built to make
backtracking explode; at audit time every match runs under a time budget, see
``patterns.py``).  Anything else is one sentence naming the file, the key and what is wrong.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..resources import load_data, load_user_toml

SECTIONS = ("units", "terms", "names", "calques", "anglicisms", "boilerplate")
# Keys whose values are regular expressions (the names' "english" are literal spellings).
PATTERN_KEYS = {"pattern", "unless", "customary"}
PATTERN_KEYS_BY_SECTION = {"units": {"english"}, "calques": set()}
SEVERITIES = ("major", "minor")
# Fields of list entries that the checks read with a default: never required.
OPTIONAL = {
    "boilerplate": {"match", "max_chars", "following", "machine_translated"},
    "units": {"unless", "customary", "needs_quantity", "offset", "english", "quantity", "si", "si_offset",
              "money_sign"},
    "terms": {"alternatives", "forms"},
    "calques": {"severity", "replacements"},
    "names": {"severity"},
}


def load_glossary(path: str | Path) -> dict[str, Any]:
    glossary = load_user_toml(path, "glossary")
    validate(glossary, path)
    return glossary


def validate(glossary: dict, path) -> None:
    for section, value in glossary.items():
        if section not in SECTIONS:
            raise ConfigError(f"The glossary {path} has an unknown section [{section}]; known sections: "
                              f"{', '.join(SECTIONS)}.")
        if not isinstance(value, dict):
            raise ConfigError(f"The glossary key {section} in {path} must be a table ([{section}]).")
        _check_table(value, load_data(_data_file(section)), section, section, path)
    for number, entry in enumerate(glossary.get("calques", {}).get("calque", []), 1):
        _check_group_references(entry, f"calques.calque[{number}]", path)


def _check_group_references(entry: dict, name: str, path) -> None:
    """A calque's replacements may name only groups its pattern has (``\\1``, ``\\g<1>``)."""
    import regex

    groups = regex.compile(entry["pattern"]).groups
    for template in entry.get("replacements", []):
        for ref in re.findall(r"\\(\d+)|\\g<(\w+)>", template):
            number = ref[0] or ref[1]
            if not number.isdigit() or int(number) > groups:
                raise ConfigError(f"The glossary field {name}.replacements in {path} names a group "
                                  f"({number}) its pattern does not have.")


def _data_file(section: str) -> str:
    return "anglicisms" if section == "anglicisms" else section


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a table"


def _same_type(value, example) -> bool:
    if isinstance(example, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(example, bool)
    if isinstance(example, (int, float)):
        return isinstance(value, (int, float))
    return type(value) is type(example) or (isinstance(example, dict) and isinstance(value, dict))


def _check_table(table: dict, shipped: dict, section: str, where: str, path) -> None:
    for key, value in table.items():
        name = f"{where}.{key}"
        if key not in shipped:
            raise ConfigError(f"The glossary {path} has an unknown key {name}; known keys: "
                              f"{', '.join(sorted(shipped))}.")
        example = shipped[key]
        if not _same_type(value, example):
            raise ConfigError(f"The glossary key {name} in {path} must be {_type_name(example)}, not "
                              f"{_type_name(value)}.")
        if isinstance(example, list) and example and isinstance(example[0], dict):
            _check_entries(value, example, section, name, path)
        elif isinstance(example, list):
            bad = next((v for v in value if not isinstance(v, type(example[0]) if example else str)), None)
            if bad is not None:
                raise ConfigError(f"The glossary key {name} in {path} must list {_type_name(example[0])}s.")
        elif isinstance(example, dict):
            _check_table(value, example, section, name, path)
        else:
            _check_value(value, key, section, name, path)


def _check_entries(entries: list, shipped: list[dict], section: str, where: str, path) -> None:
    known: dict[str, Any] = {}
    for entry in shipped:
        for key, value in entry.items():
            known.setdefault(key, value)
    required = set.intersection(*(set(entry) for entry in shipped)) - OPTIONAL.get(section, set())
    for number, entry in enumerate(entries, 1):
        name = f"{where}[{number}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"The glossary key {name} in {path} must be a table ([[{where}]]).")
        missing = sorted(required - set(entry))
        if missing:
            raise ConfigError(f"The glossary entry {name} in {path} lacks the field(s) {', '.join(missing)}.")
        for key, value in entry.items():
            if key not in known:
                raise ConfigError(f"The glossary entry {name} in {path} has an unknown field {key}; known fields: "
                                  f"{', '.join(sorted(known))}.")
            if not _same_type(value, known[key]):
                raise ConfigError(f"The glossary field {name}.{key} in {path} must be {_type_name(known[key])}, "
                                  f"not {_type_name(value)}.")
            if isinstance(value, list) and any(not isinstance(v, str) for v in value):
                raise ConfigError(f"The glossary field {name}.{key} in {path} must list strings.")
            if isinstance(value, dict) and any(not isinstance(v, list) or any(not isinstance(x, str) for x in v)
                                               for v in value.values()):
                raise ConfigError(f"The glossary field {name}.{key} in {path} must give a list of strings "
                                  f"for each form.")
            _check_value(value, key, section, f"{name}.{key}", path)


def _check_value(value, key: str, section: str, name: str, path) -> None:
    if key == "severity" and value not in SEVERITIES:
        raise ConfigError(f"The glossary key {name} in {path} must be \"major\" or \"minor\", not {value!r}.")
    if key in PATTERN_KEYS | PATTERN_KEYS_BY_SECTION.get(section, set()) and isinstance(value, str):
        check_pattern(value, name, path)


def check_pattern(pattern: str, name: str, path) -> None:
    """Refuse a regular expression that does not compile or may backtrack catastrophically."""
    try:
        parsed = _parse(pattern)
    except re.error as err:
        raise ConfigError(f"The regular expression {name} in {path} does not compile ({err}).") from None
    if _nested_repeat(parsed, inside_repeat=False):
        raise ConfigError(f"The regular expression {name} in {path} repeats a group that itself repeats "
                          f"(as in '(a+)+'); on some text it would not finish. Write it without the nesting.")
    from .patterns import probe

    probe(pattern, name, path)


def _parse(pattern: str):
    try:
        from re import _parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse as parser
    re.compile(pattern)
    return parser.parse(pattern)


_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _unbounded(high) -> bool:
    return str(high) == "MAXREPEAT"


def _nested_repeat(items, inside_repeat: bool = False) -> bool:
    """True when an unbounded repetition contains another repetition ("(a+)+", "(\\w+\\s?)*"):
    the star height above one that makes a backtracking engine take exponential time.  A
    bounded outer repetition ("(?:\\s+\\S+){0,4}") stays polynomial and is allowed."""
    for op, arg in items:
        name = str(op)
        if name in _REPEATS:
            high, sub = arg[1], arg[2]
            if _unbounded(high) and _contains_repeat(sub):
                return True
            if _nested_repeat(sub):
                return True
        elif name == "SUBPATTERN":
            if _nested_repeat(arg[-1]):
                return True
        elif name == "BRANCH":
            if any(_nested_repeat(branch) for branch in arg[1]):
                return True
        elif name in ("ASSERT", "ASSERT_NOT"):
            if _nested_repeat(arg[1]):
                return True
    return False


def _contains_repeat(items) -> bool:
    """Whether a repetition of more than one step occurs anywhere in ``items``."""
    for op, arg in items:
        name = str(op)
        if name in _REPEATS:
            high = arg[1]
            if _unbounded(high) or (isinstance(high, int) and high > 1) or _contains_repeat(arg[2]):
                return True
        elif name == "SUBPATTERN" and _contains_repeat(arg[-1]):
            return True
        elif name == "BRANCH" and any(_contains_repeat(branch) for branch in arg[1]):
            return True
        elif name in ("ASSERT", "ASSERT_NOT") and _contains_repeat(arg[1]):
            return True
    return False
