"""The files the game ships with: the dream checkpoint, the keymap, the inverse-dynamics
model that `playground eval` measures action accuracy with and the depth network.

In a clone they live at the repository's top (checkpoints/, assets/), beside their model
card and docs; this folder links to them so that a wheel carries copies. The clone's own
files come first: a checkout without symlinks (git on Windows writes each link as a short
text file) still finds them.
"""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CLONE = _HERE.parent.parent
CLONE_FOLDERS = {"tiny.safetensors": "checkpoints", "keymap.yaml": "assets", "idm.safetensors": "checkpoints",
                 "depth.safetensors": "checkpoints"}


def shipped_path(name: str) -> Path:
    """Where the shipped file `name` is: the clone's copy, else the installed package's."""
    in_clone = _CLONE / CLONE_FOLDERS[name] / name
    return in_clone if in_clone.is_file() else _HERE / name
