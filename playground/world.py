"""The World protocol: what the client, the recorder and the envs see of a world.

Both the ground truth (`playground.voxel.VoxelWorld`) and the dream
(`playground.dream.DreamWorld`) implement it, so they are interchangeable everywhere.
A frame is a uint8 (H, W, 3) RGB array; one `step` is one tick (TICK_RATE per second);
actions follow `playground.actions`.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from playground.errors import PlaygroundError

TICK_RATE = 20  # ticks per second of game time (Minecraft's and the VPT data's rate)


class WorldError(PlaygroundError, RuntimeError):
    """A world used wrongly (for example stepped before reset)."""


@runtime_checkable
class World(Protocol):
    name: str                              # "voxel", "dream", ...
    frame_shape: tuple[int, int, int]      # (H, W, 3)

    def reset(self, seed: int | None = None) -> np.ndarray:
        """Start a new episode from the place that `seed` determines; the first frame."""

    def step(self, action: np.ndarray) -> np.ndarray:
        """Apply one tick's 25-dim action; the frame it produced."""

    def info(self) -> dict[str, Any]:
        """Plain, deterministic Python values for the HUD, recordings and env infos
        (seed, tick, ...). A world may also offer `timings() -> {stage: ms}` for the HUD."""

    def close(self) -> None:
        """Release resources."""
