"""argparse types for counts and rates: a refusal names the option and the bound."""
from __future__ import annotations

import argparse


def at_least(least: int):
    """An argparse type: an integer of at least `least` (argparse prints the refusal)."""
    def parse(text: str) -> int:
        value = int(text)
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value
    parse.__name__ = "integer"   # argparse's "invalid integer value: 'x'"
    return parse


def positive(text: str) -> float:
    """An argparse type: a number above zero."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


positive.__name__ = "number"   # argparse's "invalid number value: 'x'"
COUNT, NATURAL = at_least(1), at_least(0)   # counts start at 1, indices at 0


def flag(name: str) -> str:
    """The option an argparse destination comes from: memory_ticks -> --memory-ticks."""
    return f"--{name.replace('_', '-')}"


def given_flags(args, names, defaults: dict | None = None, flags: dict | None = None) -> list[str]:
    """The options among `names` given on the command line, as flags: those whose value is
    not their default (None or False unless `defaults` says otherwise). flags: the flag of
    a destination not named after it (action_guidance -> --guidance)."""
    defaults, flags = defaults or {}, flags or {}

    def unset(name) -> bool:
        value = getattr(args, name)
        # identity, not ==: a given 0 (--guidance 0) equals False
        return value == defaults[name] if name in defaults else value is None or value is False
    return [flags.get(n, flag(n)) for n in names if not unset(n)]
