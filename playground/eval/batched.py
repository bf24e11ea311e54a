"""Rollouts of many seeds at once, for the measures that need thousands of frames.

The world runs seed by seed (its frames and the player's pose: what the measures keep or
drop trials by); the dream runs a batch of seeds in one DreamSession, started exactly as
DreamWorld.reset starts it (the world's first frame held as context, its camera pitch).
On a 2-core CPU a tick costs about 0.023 s a row in a batch of 8 and 0.033 s in a batch of 2.
The trivial predictors see only the first frame, as the dream does.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

BATCH = 8


def batches(n: int, batch: int = BATCH) -> list[slice]:
    """Rows 0..n-1 in as few batches of at most `batch` rows as will hold them, of
    near-equal size (18 rows as 6 + 6 + 6). On 2 cores a row costs about the same in any
    batch of 4 to 8 and more in larger ones, so nothing is gained past `batch`."""
    count = max(1, -(-n // batch))
    edges = [n * k // count for k in range(count + 1)]
    return [slice(a, b) for a, b in zip(edges, edges[1:])]


def _per_row(actions: np.ndarray, n: int) -> np.ndarray:
    """(n, T, 25): the same actions for every row, or one sequence per row."""
    actions = np.asarray(actions, np.float32)
    return np.broadcast_to(actions, (n, *actions.shape[-2:])) if actions.ndim == 2 else actions


def world_rollouts(seeds, actions, progress: bool = False, desc: str = "world") -> tuple[np.ndarray, np.ndarray]:
    """The voxel world from reset(seed) under `actions` (T, 25) or (B, T, 25): frames
    uint8 (B, T+1, H, W, 3) and poses (B, T+1, 5) = feet x, y, z, yaw, pitch (degrees)."""
    from playground.voxel import VoxelWorld
    acts = _per_row(actions, len(seeds))
    world = VoxelWorld()
    frames, poses = [], []
    for seed, row in tqdm(list(zip(seeds, acts)), desc=desc, disable=not progress):
        f = [world.reset(int(seed))]
        p = [_pose(world)]
        for a in row:
            f.append(world.step(a))
            p.append(_pose(world))
        frames.append(np.stack(f)), poses.append(np.stack(p))
    return np.stack(frames), np.stack(poses)


def _pose(world) -> np.ndarray:
    p = world.player
    return np.array([*p.pos, p.yaw, p.pitch])


def dream_rollouts(dream, first: np.ndarray, pitches: np.ndarray, actions, seed: int = 0,
                   batch: int = BATCH, progress: bool = False, desc: str = "dream") -> np.ndarray:
    """The dream of `dream` (a DreamWorld: its models, schedule and options) from the first
    frames (B, H, W, 3) at camera pitches (B,) under actions (T, 25) or (B, T, 25):
    frames uint8 (B, T+1, H, W, 3), the first frames included."""
    acts = _per_row(actions, len(first))
    out = []
    for rows in tqdm(batches(len(first), batch), desc=desc, disable=not progress):
        dream.begin(first[rows], pitches[rows], seed=seed + rows.start)
        frames = [first[rows]] + [dream.step_rows(np.ascontiguousarray(acts[rows, t])) for t in range(acts.shape[1])]
        out.append(np.stack(frames, 1))
    return np.concatenate(out)


def held_start(truth: np.ndarray) -> np.ndarray:
    """The first frame shown forever: a model that predicts no change. (B, T+1, H, W, 3)."""
    return np.broadcast_to(truth[:, :1], truth.shape)


def mean_colour(truth: np.ndarray) -> np.ndarray:
    """The first frame, then its mean colour everywhere: a maximally blurred guess."""
    mean = truth[:, :1].mean(axis=(2, 3), keepdims=True).round().astype(np.uint8)
    out = np.broadcast_to(mean, truth.shape).copy()
    out[:, 0] = truth[:, 0]
    return out


BASELINES = {"start frame held": held_start, "mean colour": mean_colour}
