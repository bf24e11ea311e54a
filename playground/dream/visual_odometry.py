"""Which step the frames show: the movement rules' step checked against the view.

The pose tracker (pose.py) moves its player by the world's movement rules against the
ground it knows. Where the world's player is stopped by a wall or a step that no frame has
marked, the rules walk on, and every later tick inherits the error. The frames show what
happened: a player that walked on sees the near ground slide towards it, a stopped one sees
the same view, a falling one sees it rise. So each step has candidates: the rules' step,
the same step with its movement along world x, z or both undone (the rules collide axis by
axis, so a wall stops one axis and lets the other slide) or undone altogether (a player
that stopped falling: without it, once a fall wins, every candidate sinks, and a player
pressed against a wall falls through the floor), and the step with the unknown
ground a block lower (the tracker's ground is level where nothing is known, so it never
walks off a ledge by itself). The frame before the step, lifted with its depth,
re-projects into each candidate's pose; the candidate whose re-projection best matches the
frame after wins, and only when it beats the rules' step by MARGIN (a view with little near
detail cannot tell the steps apart, and then the rules decide).

This is direct visual odometry (Engel et al. 2014, LSD-SLAM; the photometric error of a
depth-warped frame) restricted to a few hypotheses, which the rotation (exact: the camera
action) and the rules make small: a free six-degree search on 64x64 frames would need the
sub-pixel accuracy of a few thousandths of a block a tick to drift less than the rules.
"""
from __future__ import annotations

import numpy as np

from playground import actions as A
from playground.camera import CameraModel, camera_rays, pixel_coordinates, view_rotation
from playground.rules import physics

# The share of the rules' re-projection error a blocked step must come under to replace it.
# Set once before measuring (not tuned): a clear preference, not a coin toss on a flat view.
MARGIN = 0.85
MAX_DISTANCE = 12.0   # blocks: farther points hardly move with a step and carry depth errors
MIN_POINTS = 50       # re-projected points a comparison needs
_EDITS = np.isin(np.arange(len(A.NAMES)), [A.INDEX["attack"], A.INDEX["use"]])


def _bilinear(image: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """image (H, W, 3) float sampled at pixel coordinates u, v (N,) -> (N, 3)."""
    H, W = image.shape[:2]
    u0 = np.clip(np.floor(u).astype(np.int64), 0, W - 2)
    v0 = np.clip(np.floor(v).astype(np.int64), 0, H - 2)
    fu, fv = np.clip(u - u0, 0, 1)[:, None], np.clip(v - v0, 0, 1)[:, None]
    top = image[v0, u0] * (1 - fu) + image[v0, u0 + 1] * fu
    bottom = image[v0 + 1, u0] * (1 - fu) + image[v0 + 1, u0 + 1] * fu
    return top * (1 - fv) + bottom * fv


def reprojection_error(before: np.ndarray, depth: np.ndarray, view_before: tuple, after: np.ndarray,
                       view_after: tuple, camera: CameraModel = CameraModel()) -> float | None:
    """Mean absolute colour difference between the frame `before` (H, W, 3) uint8, lifted with
    its `depth` (H, W) (inf: sky) from `view_before` = (eye (3,), yaw, pitch) and projected
    into `view_after`, and the frame `after` there (bilinear). None when fewer than
    MIN_POINTS points within MAX_DISTANCE land inside the view after."""
    H, W = depth.shape
    rays = camera_rays(W, H, camera.fov_degrees)
    t = depth.reshape(-1)
    near = t < MAX_DISTANCE
    eye0, yaw0, pitch0 = view_before
    eye1, yaw1, pitch1 = view_after
    points = eye0 + (rays[near] @ view_rotation(yaw0, pitch0).T) * t[near, None]
    c = (points - eye1) @ view_rotation(yaw1, pitch1)                    # camera coordinates after
    u, v, ahead = pixel_coordinates(c, H, W, camera.fov_degrees, near=0.05)
    seen = ahead & (u >= 0) & (u <= W - 1) & (v >= 0) & (v <= H - 1)
    if seen.sum() < MIN_POINTS:
        return None
    source = before.reshape(-1, 3)[near][seen].astype(np.float32)
    return float(np.abs(source - _bilinear(after.astype(np.float32), u[seen], v[seen])).mean())


def candidate_steps(ground, player: physics.Player, action: np.ndarray) -> list[tuple[physics.Player, int]]:
    """Each candidate step of `player` under `action` (25,) with the blocks the row's unknown
    ground drops by under it: the rules' step against `ground`; the same with its movement
    along world x, z, both and every axis undone (velocity there zeroed, as a collision
    leaves it; stopped while falling, it has landed); and the step with the unknown ground
    a block lower (walked off a ledge: the player falls).
    `player` and `ground` are not changed."""
    rules = player.copy()
    physics.step(ground, rules, action)
    out = [(rules, 0)]
    for axes in ([0], [2], [0, 2], [0, 1, 2]):
        blocked = rules.copy()
        blocked.pos[axes], blocked.vel[axes] = player.pos[axes], 0.0
        blocked.on_ground = blocked.on_ground or (1 in axes and rules.vel[1] < 0)   # stopped falling: landed
        out.append((blocked, 0))
    falls = player.copy()
    ground.level -= 1
    try:   # breaking and placing were done by the rules' step: not twice
        physics.step(ground, falls, np.where(_EDITS, 0.0, action))
    finally:
        ground.level += 1
    return out + [(falls, 1)]


def _view(player: physics.Player) -> tuple:
    return player.eye(), player.yaw, player.pitch


def checked_step(ground, player: physics.Player, action: np.ndarray, before: np.ndarray, depth: np.ndarray,
                 after: np.ndarray, camera: CameraModel = CameraModel()) -> tuple[physics.Player, int]:
    """The player after `action` and the blocks its row's unknown ground drops by: the
    candidate step (candidate_steps) that best explains the view going from `before` (seen
    with `depth` at the player's pose now) to `after`; the rules' step unless another one's
    re-projection error is under MARGIN times its."""
    steps = candidate_steps(ground, player, action)
    errors = [reprojection_error(before, depth, _view(player), after, _view(s), camera) for s, _ in steps]
    if any(e is None for e in errors):
        return steps[0]
    best = int(np.argmin(errors))
    return steps[best] if errors[best] < MARGIN * errors[0] else steps[0]
