"""How far the dream's own pose (dream/pose.py) drifts from the world's: the position error
after `ticks` of exploring play (walking, sprinting, strafing, turning, hopping) on
held-out seeds, against the world's own feet position moved into the tracker's frame.

Four trackers are measured, all on the world's own frames: the actions alone on level
ground ("dead reckoning"); the same with each step checked against the frames around it
("visual check": `PoseTracker.step_seen`, the frame before lifted with the shipped depth
network's depth); dead reckoning colliding with the ground the depth network finds in
every frame shown (the "depth network": what the world memory's tracker does with
`memory_pose="depth"`); and with the world's exact depth instead (the "world's depth"
ceiling: what a perfect depth network could add). All start at the world's exact pose,
so only the movement rules, the known ground and the check are measured.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from playground.dream.pose import PoseTracker
from playground.policies import script


TRACKERS = ("dead reckoning", "visual check", "depth network", "world's depth")


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
    checked = source == "visual check"         # the depth lifts the frame before; it marks no ground
    depth = _depth(world, frame, source)
    for a in script("explore", np.random.default_rng(seed), ticks):
        if depth is not None and not checked:
            tracker.see(0, depth)
        before, frame = frame, world.step(a)
        if checked:
            tracker.step_seen(0, a, before, depth, frame)
        else:
            tracker.step(a[None])
        depth = _depth(world, frame, source)
    return float(np.linalg.norm(world.player.pos - tracker.players[0].pos))


def pose_drift(seeds: list[int], ticks: int = 64, progress: bool = True) -> dict:
    """Median, mean and 90th-percentile error, and the share within 0.5 block, per tracker."""
    out = {"ticks": ticks, "seeds": len(seeds)}
    for name in TRACKERS:
        e = np.array([drift(s, ticks, name) for s in tqdm(seeds, desc=f"pose: {name}", disable=not progress)])
        out[name] = {"median": float(np.median(e)), "mean": float(e.mean()), "p90": float(np.percentile(e, 90)),
                     "within_half_block": float((e <= 0.5).mean())}
    return out
