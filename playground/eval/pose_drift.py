"""How far the dream's own pose (dream/pose.py) drifts from the world's: the position error
after `ticks` of exploring play (walking, sprinting, strafing, turning, hopping) on
held-out seeds, against the world's own feet position moved into the tracker's frame.

Two trackers are measured: the actions alone on level ground ("dead reckoning"), and the
same with the world's exact depth of every frame it shows marked as solid ground (the
"world's depth" ceiling: what a perfect depth network could add). Both start at the
world's exact pose, so only the movement rules and the known ground are measured.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from playground.dream.pose import PoseTracker
from playground.policies import script


def drift(seed: int, ticks: int, see_depth: bool) -> float:
    """The position error (blocks) after `ticks` of `explore` from world seed `seed`."""
    from playground.voxel import VoxelWorld
    world = VoxelWorld()
    world.reset(seed)
    tracker = PoseTracker(1)
    tracker.reset_rows([0], [world.player.pitch], [world.player.yaw])
    start = world.player.pos.copy()
    tracker.players[0].pos = start.copy()              # the same frame: only drift is measured
    tracker.grounds[0].level = int(np.floor(start[1] + 1e-3))
    if see_depth:
        tracker.see(0, world.depth())
    for a in script("explore", np.random.default_rng(seed), ticks):
        world.step(a)
        tracker.step(a[None])
        if see_depth:
            tracker.see(0, world.depth())
    return float(np.linalg.norm(world.player.pos - tracker.players[0].pos))


def pose_drift(seeds: list[int], ticks: int = 64, progress: bool = True) -> dict:
    """Median, mean and 90th-percentile error, and the share within 0.5 block, per tracker."""
    out = {"ticks": ticks, "seeds": len(seeds)}
    for name, see in (("dead reckoning", False), ("world's depth", True)):
        e = np.array([drift(s, ticks, see) for s in tqdm(seeds, desc=f"pose: {name}", disable=not progress)])
        out[name] = {"median": float(np.median(e)), "mean": float(e.mean()), "p90": float(np.percentile(e, 90)),
                     "within_half_block": float((e <= 0.5).mean())}
    return out
