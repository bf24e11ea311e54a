"""How far the dream's own pose (dream/pose.py) drifts from the world's: the position error
after `ticks` of exploring play (walking, sprinting, strafing, turning, hopping) on
held-out seeds, against the world's own feet position moved into the tracker's frame.

Three trackers are measured: the actions alone on level ground ("dead reckoning"); the
same colliding with the ground the shipped depth network finds in every frame shown (the
"depth network": what the world memory's tracker does with `memory_pose="depth"`, here
on the world's own frames); and with the world's exact depth instead (the "world's depth"
ceiling: what a perfect depth network could add). All start at the world's exact pose,
so only the movement rules and the known ground are measured.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from playground.dream.pose import PoseTracker
from playground.policies import script


TRACKERS = ("dead reckoning", "depth network", "world's depth")


def _depth(world, frame, source: str) -> np.ndarray | None:
    """The depth (H, W) the tracker `source` sees of the world's current `frame`."""
    if source == "dead reckoning":
        return None
    if source == "world's depth":
        return world.depth()
    from playground.dream.memory_warp import shipped_depth
    from playground.model.depth import predict
    return predict(shipped_depth(), frame[None])[0]


def drift(seed: int, ticks: int, source: str) -> float:
    """The position error (blocks) after `ticks` of `explore` from world seed `seed`, for
    the tracker `source` (one of TRACKERS)."""
    from playground.voxel import VoxelWorld
    assert source in TRACKERS, source
    world = VoxelWorld()
    frame = world.reset(seed)
    tracker = PoseTracker(1)
    tracker.reset_rows([0], [world.player.pitch], [world.player.yaw])
    start = world.player.pos.copy()
    tracker.players[0].pos = start.copy()              # the same frame: only drift is measured
    tracker.grounds[0].level = int(np.floor(start[1] + 1e-3))
    for a in [None] + script("explore", np.random.default_rng(seed), ticks):
        if a is not None:
            frame = world.step(a)
            tracker.step(a[None])
        depth = _depth(world, frame, source)
        if depth is not None:
            tracker.see(0, depth)
    return float(np.linalg.norm(world.player.pos - tracker.players[0].pos))


def pose_drift(seeds: list[int], ticks: int = 64, progress: bool = True) -> dict:
    """Median, mean and 90th-percentile error, and the share within 0.5 block, per tracker."""
    out = {"ticks": ticks, "seeds": len(seeds)}
    for name in TRACKERS:
        e = np.array([drift(s, ticks, name) for s in tqdm(seeds, desc=f"pose: {name}", disable=not progress)])
        out[name] = {"median": float(np.median(e)), "mean": float(e.mean()), "p90": float(np.percentile(e, 90)),
                     "within_half_block": float((e <= 0.5).mean())}
    return out
