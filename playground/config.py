"""Typed configs from YAML/dicts: nested dataclasses, lists become tuples, unknown keys and
wrong types are errors that name the key."""
from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import numpy as np
import yaml

from playground.errors import PlaygroundError


class ConfigError(PlaygroundError, ValueError):
    """A config file or dict that does not fit its dataclass."""


def is_whole(value, least: int = 0) -> bool:
    """Whether `value` is an integer (Python or numpy, not a bool) of at least `least`."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= least


def build(cls, data: dict | None, where: str = "config"):
    """Instantiate dataclass `cls` from a (possibly partial) dict; missing keys keep defaults."""
    data = data or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping for {cls.__name__}, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown} for {cls.__name__}; "
                          f"known: {sorted(fields)}")
    kw = {}
    for k, v in data.items():
        t = hints[k]
        if dataclasses.is_dataclass(t):
            kw[k] = build(t, v, f"{where}.{k}")
        elif isinstance(v, list):
            kw[k] = tuple(tuple(x) if isinstance(x, list) else x for x in v)
        elif float in (t, *typing.get_args(t)) and is_whole(v, -2**63):   # 4 stands for 4.0
            kw[k] = float(v)
        else:
            kw[k] = v
        if not fits(kw[k], t):
            raise ConfigError(f"{where}.{k}: expected {_type_name(t)}, got {v!r}")
    return cls(**kw)


_SCALARS = {int: lambda v: is_whole(v, -2**63), float: lambda v: isinstance(v, float),
            bool: lambda v: isinstance(v, bool), str: lambda v: isinstance(v, str)}


def fits(value, hint) -> bool:
    """Whether a config value has its field's type: scalars, optionals and tuples of them
    are checked; any other hint (arrays, dicts, classes) is taken as given."""
    if hint in _SCALARS:
        return _SCALARS[hint](value)
    args = typing.get_args(hint)
    if type(None) in args:
        return value is None or any(fits(value, a) for a in args if a is not type(None))
    if typing.get_origin(hint) is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(fits(x, args[0]) for x in value)
        return len(value) == len(args) and all(fits(x, a) for x, a in zip(value, args))
    return True


def _type_name(hint) -> str:
    if typing.get_args(hint):   # tuple[int, int], int | None: spelled as written
        return str(hint).replace("typing.", "")
    return getattr(hint, "__name__", str(hint))


def overrides(pairs: list[str]) -> dict:
    """KEY=VALUE pairs (`--set a.b=1`) -> nested dict, values parsed as YAML scalars."""
    out: dict = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(f"expected key=value, got {pair!r}")
        key, value = pair.split("=", 1)
        node = out
        *parents, leaf = key.split(".")
        for k in parents:
            node = node.setdefault(k, {})
        node[leaf] = _scalar(value)
    return out


# YAML 1.1 (PyYAML) reads 3e-4 as a string: it wants a dot (3.0e-4). On the command line
# everyone writes 3e-4 and means a number.
_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _scalar(text: str):
    value = yaml.safe_load(text)
    return float(text) if isinstance(value, str) and _EXPONENT.fullmatch(text) else value


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"config file {path} is not valid YAML: {e}") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return data or {}


PRESET_DIR = Path(__file__).resolve().parent / "configs"


def preset_path(name_or_path: str) -> Path:
    """A preset name (e.g. 'ae', 'dit-tiny') or a path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml"):
        return p
    cand = PRESET_DIR / f"{name_or_path}.yaml"
    if not cand.exists():
        known = sorted(x.stem for x in PRESET_DIR.glob("*.yaml"))
        raise ConfigError(f"unknown preset {name_or_path!r}; known: {known} (or pass a .yaml path)")
    return cand
