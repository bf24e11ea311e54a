"""Re-simulate a recording from its seed and actions and compare frame by frame."""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from playground.eval.metrics import psnr
from playground.record.layout import RecordingError
from playground.record.reader import Recording
from playground.record.world_spec import build


def resimulate(rec: Recording, checkpoint: str | None = None, progress: bool = True) -> np.ndarray:
    """Frames of the recorded ticks, regenerated from (world config, seed, actions)."""
    world = build(rec.manifest.get("spec", {}), checkpoint)
    seed = rec.manifest.get("seed")
    if seed is None:
        raise RecordingError(f"{rec.path}: the manifest has no seed; cannot re-simulate")
    n, start = len(rec.frames), rec.start_tick
    if len(rec.actions) < start + n:
        raise RecordingError(f"{rec.path}: {len(rec.actions)} actions for {start + n} ticks")
    out = []
    frame = world.reset(int(seed))
    for t in tqdm(range(start + n), desc="re-simulating", unit="tick", disable=not progress, leave=False):
        if t > 0:
            frame = world.step(rec.actions[t])
        if t >= start:
            out.append(frame)
    return np.stack(out) if out else np.zeros_like(rec.frames)


def drift(recorded: np.ndarray, again: np.ndarray) -> list[dict]:
    """Per frame: max absolute difference and PSNR (inf when identical)."""
    rows = []
    for i, (a, b) in enumerate(zip(recorded, again)):
        d = int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max())
        rows.append({"frame": i, "max_abs": d, "psnr": float("inf") if d == 0 else float(psnr(a, b))})
    return rows
