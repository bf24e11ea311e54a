"""Crash-safe session recording.

A session is a folder:
  manifest.json      versions, world, seed, checkpoint sha256, configs, tick rate,
                     start tick, and "complete" (true only after a clean close)
  actions.f32        append-only float32 rows of 25, one per tick from the world's reset,
                     flushed every tick (a killed process loses no flushed tick)
  frames/chunk_NNNNN.npz   uint8 (K, H, W, 3) frames, written atomically (temporary
                     file, fsync, rename) when K frames have gathered

A SIGKILL loses at most the open chunk; `playground.record.load` reads what is there
and reports complete = False.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from playground import __version__
from playground import actions as A
from playground.record.layout import ACTIONS, FORMAT, FRAMES, MANIFEST, write_json_atomic
from playground.record.world_spec import describe
from playground.world import TICK_RATE

class Recorder:
    """Record ticks of one world episode. `history` holds the actions since the reset that
    came before recording started (so re-simulation can start from the seed)."""

    def __init__(self, folder: str | Path, world, chunk: int = 64, history: list | None = None):
        self.dir = Path(folder)
        if (self.dir / MANIFEST).exists():
            raise FileExistsError(f"{self.dir} already holds a recording; choose a new folder")
        (self.dir / FRAMES).mkdir(parents=True, exist_ok=True)
        self.chunk, self.buffer, self.chunks, self.frames = chunk, [], 0, 0
        history = list(history or [])
        spec = describe(world)
        self.manifest = {
            "format": FORMAT, "playground_version": __version__, "action_schema": A.SCHEMA_VERSION,
            "action_dim": A.ACTION_DIM, "tick_rate": TICK_RATE, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "world": world.name, "seed": world.info().get("seed"),
            "checkpoint_sha256": spec.get("checkpoint_sha256"), "frame_shape": list(world.frame_shape),
            "chunk_frames": chunk, "start_tick": len(history), "spec": spec, "complete": False}
        write_json_atomic(self.dir / MANIFEST, self.manifest)
        self.log = open(self.dir / ACTIONS, "ab")
        for a in history:
            self.log.write(np.asarray(a, np.float32).tobytes())
        self.log.flush()

    @property
    def ticks(self) -> int:
        """Frames recorded so far (written or in the open chunk)."""
        return self.frames + len(self.buffer)

    def add(self, action: np.ndarray, frame: np.ndarray) -> None:
        """Record one tick: the action and the frame it produced."""
        self.log.write(A.validate(action).astype(np.float32).tobytes())
        self.log.flush()
        self.buffer.append(np.asarray(frame, np.uint8))
        if len(self.buffer) >= self.chunk:
            self._write_chunk()

    def _write_chunk(self) -> None:
        if not self.buffer:
            return
        path = self.dir / FRAMES / f"chunk_{self.chunks:05d}.npz"
        tmp = path.with_name(path.stem + ".tmp.npz")
        with open(tmp, "wb") as f:
            np.savez(f, frames=np.stack(self.buffer))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        self.frames += len(self.buffer)
        self.chunks += 1
        self.buffer = []

    def close(self) -> Path:
        """Write the open chunk and mark the session complete."""
        self._write_chunk()
        self.log.flush()
        os.fsync(self.log.fileno())
        self.log.close()
        self.manifest.update(complete=True, frames=self.frames,
                             closed=time.strftime("%Y-%m-%dT%H:%M:%S"))
        write_json_atomic(self.dir / MANIFEST, self.manifest)
        return self.dir
