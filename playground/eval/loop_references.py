"""Reference sources for loop trials that depart from the world's own frame (loops.plan
with lead False), and the ground a dream given that frame can know.

- seen_before: the pixels of a later view whose surface the first view saw (exact
  geometry: the world's depth, both poses). On them a dream that keeps what it was shown
  can follow the world's view while away; elsewhere it can only imagine.
- "another world": the frames of another voxel world under the same actions. As sharp as
  the world, and moving as the world moves, but it keeps nothing of what it was shown.
- "kept + another world": the world's own pixels wherever the first view saw their
  surface (a perfect memory of it), another world's frame elsewhere. It keeps everything it
  was shown and draws new ground as sharply as a world does, but cannot know the ground it
  has not seen.

Neither is a baseline to beat: they bound what "moved away" can say. A dream that cannot
know unseen ground is closer to its own departure frame than to the world on many ticks
of a trip that turns away from what it was shown, however good it is.
"""
from __future__ import annotations

import numpy as np

from playground.camera import CameraModel, camera_rays, project, view_rotation

ANOTHER_WORLD = "another world"
KEPT = "kept + another world"
REFERENCES = (ANOTHER_WORLD, KEPT)
OTHER_SEED = 7919          # another world: the trial's seed plus this (a prime, far from the seed blocks)
SAME_SURFACE = 0.1         # relative depth difference within which the first view saw a pixel's point


def _walk(seed: int, actions: np.ndarray) -> list[tuple]:
    """(frame, depth, eye, yaw, pitch) of every tick of the voxel world from reset(seed)."""
    from playground.voxel import VoxelWorld
    world = VoxelWorld()

    def now(frame):
        p = world.player
        return frame, world.depth(), p.eye().copy(), float(p.yaw), float(p.pitch)
    first = now(world.reset(int(seed)))
    return [first] + [now(world.step(a)) for a in actions]


def seen_before(first: tuple, later: tuple, fov_degrees: float = CameraModel().fov_degrees) -> np.ndarray:
    """(H, W) bool: the pixels of the view `later` whose surface the view `first` saw; each
    view (frame, depth (H, W) blocks along the ray, eye (3,), yaw, pitch). A pixel's point
    (by its depth) must land inside the first view, at a depth there within SAME_SURFACE of
    its distance; the sky (infinite depth) never counts."""
    _, depth0, eye0, yaw0, pitch0 = first
    _, depth, eye, yaw, pitch = later
    H, W = depth.shape
    t = depth.reshape(-1)
    near = np.isfinite(t)
    points = eye + (camera_rays(W, H, fov_degrees) @ view_rotation(yaw, pitch).T) * np.where(near, t, 0.0)[:, None]
    u, v, inside = project((points - eye0) @ view_rotation(yaw0, pitch0), H, W, fov_degrees)
    distance = np.linalg.norm(points - eye0, axis=1)
    return (near & inside & (np.abs(depth0[v, u] - distance) <= SAME_SURFACE * distance)).reshape(H, W)


def reference_frames(trial: dict) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each reference source's frames (T+1, H, W, 3) uint8 for one trial (loops.plan's,
    departing at tick 0), and seen_before of each tick's view (T+1, H, W) bool."""
    assert trial["depart"] == 0, "references keep the world's first frame: trials without a lead-in"
    real = _walk(trial["seed"], trial["actions"])
    other = _walk(trial["seed"] + OTHER_SEED, trial["actions"])
    seen = np.stack([seen_before(real[0], view) for view in real])
    world = np.stack([view[0] for view in real])
    imagined = np.stack([world[0]] + [view[0] for view in other[1:]])
    return {ANOTHER_WORLD: imagined, KEPT: np.where(seen[..., None], world, imagined)}, seen
