"""Reading recordings (complete or not)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.record.layout import ACTIONS, FRAMES, MANIFEST, RecordingError

@dataclass
class Recording:
    path: Path
    manifest: dict
    frames: np.ndarray      # uint8 (N, H, W, 3): recorded frames (from start_tick on)
    actions: np.ndarray     # float32 (M, 25): every action since the reset (M >= start_tick + N)
    complete: bool

    @property
    def start_tick(self) -> int:
        return int(self.manifest.get("start_tick", 0))

    @property
    def frame_actions(self) -> np.ndarray:
        """The actions that produced the recorded frames, (N, 25)."""
        return self.actions[self.start_tick:self.start_tick + len(self.frames)]


def load(path: str | Path) -> Recording:
    """A recording folder -> Recording. Unfinished sessions load with complete = False;
    a torn last action row or a half-written chunk (killed mid-write) is ignored."""
    path = Path(path)
    if not path.exists():
        raise RecordingError(f"{path} does not exist: give the folder a recording was written to "
                             "(play --record DIR)")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise RecordingError(f"{path} is not a recording (no {MANIFEST})") from None
    except json.JSONDecodeError as e:
        raise RecordingError(f"{path / MANIFEST} is corrupt: {e}") from None
    dim = int(manifest.get("action_dim", 25))
    raw = (path / ACTIONS).read_bytes() if (path / ACTIONS).exists() else b""
    whole = len(raw) // (4 * dim) * 4 * dim
    actions = np.frombuffer(raw[:whole], np.float32).reshape(-1, dim).copy()
    chunks = sorted((path / FRAMES).glob("chunk_*.npz"))
    chunks = [c for c in chunks if not c.name.endswith(".tmp.npz")]
    parts = []
    for c in chunks:
        with np.load(c) as z:
            parts.append(z["frames"])
    h, w, _ = manifest.get("frame_shape", (64, 64, 3))
    frames = np.concatenate(parts) if parts else np.zeros((0, h, w, 3), np.uint8)
    return Recording(path, manifest, frames, actions, bool(manifest.get("complete")))
