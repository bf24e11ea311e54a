"""The on-disk layout of a recording folder, and its error type."""
from __future__ import annotations

import json
import os
from pathlib import Path

from playground.errors import PlaygroundError

MANIFEST = "manifest.json"
ACTIONS = "actions.f32"
FRAMES = "frames"
FORMAT = 1


class RecordingError(PlaygroundError, ValueError):
    """A folder that is not a readable recording, or one that cannot be re-simulated."""


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
