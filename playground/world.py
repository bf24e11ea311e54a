"""The World protocol: what the client, the recorder and the envs see of a world.

Both the ground truth (`playground.voxel.VoxelWorld`) and the dream
(`playground.dream.DreamWorld`) implement it, so they are interchangeable everywhere.
A frame is a uint8 (H, W, 3) RGB array; one `step` is one tick (TICK_RATE per second);
actions follow `playground.actions`.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np

from playground.errors import PlaygroundError

TICK_RATE = 20  # ticks per second of game time (Minecraft's and the VPT data's rate)


class WorldError(PlaygroundError, RuntimeError):
    """A world used wrongly (for example stepped before reset)."""


SEED_LIMIT = 2**64   # world seeds are integers in [0, SEED_LIMIT): see world_seed


class SeedError(WorldError, ValueError):
    """A world seed that is not an integer in [0, SEED_LIMIT)."""


def world_seed(seed: int | None) -> int:
    """`seed` as a world seed, or a fresh random one for None. A seed is an integer from 0
    to 2**64 - 1: numpy's SeedSequence (the voxel world's random streams) takes no negative
    one and torch's generator (the dream's noise) none of 2**64 or more."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**31)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEED_LIMIT:
        raise SeedError(f"a world seed is an integer from 0 to 2**64 - 1, got {seed!r}")
    return int(seed)


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


# Where a world model starts for a seed: (seed, (H, W)) -> (first frame uint8 (H, W, 3), the
# camera's pitch in degrees). The dream starts from the ground truth's view of the seed.
StartView = Callable[[int, tuple[int, int]], tuple[np.ndarray, float]]


class VoxelStart:
    """The voxel world's first frame and pitch for a seed (a StartView), one world per size."""

    def __init__(self):
        self._worlds: dict[tuple[int, int], Any] = {}

    def __call__(self, seed: int, size: tuple[int, int]) -> tuple[np.ndarray, float]:
        from playground.voxel import VoxelConfig, VoxelWorld   # the ground truth is above this module
        if size not in self._worlds:
            self._worlds[size] = VoxelWorld(VoxelConfig.make(size[1], size[0]))
        world = self._worlds[size]
        first = world.reset(seed)
        return first, world.player.pitch
