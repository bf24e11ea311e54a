"""Held-out frames from evaluation seeds (never used for training data)."""
from __future__ import annotations

import numpy as np

from playground.train.datagen import EVAL_SEED_BASE, episode
from playground.voxel import VoxelConfig, VoxelWorld


def heldout_frames(episodes: int = 16, ticks: int = 64, seed_base: int = EVAL_SEED_BASE,
                   size: tuple[int, int] = (64, 64)) -> np.ndarray:
    """uint8 (episodes * ticks, H, W, 3) frames of `size` (H, W) from explore/revisit
    episodes on eval seeds."""
    world = VoxelWorld(VoxelConfig.make(width=size[1], height=size[0]))
    out = [episode(world, seed_base + i, "explore" if i % 2 else "revisit", ticks)[0]
           for i in range(episodes)]
    return np.concatenate(out)
