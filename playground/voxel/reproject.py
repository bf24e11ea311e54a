"""A view turned in place, drawn from a view before the turn: exact camera geometry.

Turning in place is a pure rotation of the camera, which has no parallax: every pixel of
the turned view that the earlier view already showed is that earlier pixel, whatever its
depth. `reproject` finds them (nearest pixel, the camera model of `raycast.camera_rays`);
`fill_unseen` fills what the earlier view never showed without imagination. The
evaluation's turning ceiling (eval/reprojection.py) and the dream's warped start for
turning ticks (dream/turn_warp.py) both draw turns so.
"""
from __future__ import annotations

import numpy as np

from playground.voxel.raycast import camera_rays, view_rotation

FILLS = ("rowmean", "edge")


def reproject(start: np.ndarray, start_pose, pose, fov_degrees: float):
    """The view `start` (H, W, 3), seen from camera pose (yaw, pitch) `start_pose`, turned to
    `pose` without moving: returns (frame, seen) with seen (H, W) True where the start frame
    shows the pixel (nearest start pixel), frame zero elsewhere."""
    H, W = start.shape[:2]
    f = 1.0 / np.tan(np.radians(fov_degrees) / 2)
    rays = camera_rays(W, H, fov_degrees) @ view_rotation(*pose).T    # world directions (N, 3)
    c = rays @ view_rotation(*start_pose)                              # start-camera coordinates
    z = c[:, 2]
    ahead = z > 1e-6
    safe = np.where(ahead, z, 1.0)
    # Inverse of camera_rays' pixel grid: x = (2 (u + 0.5) / W - 1) W / H, y = 1 - 2 (v + 0.5) / H.
    u = np.rint((f * c[:, 0] / safe * H / W + 1) * W / 2 - 0.5)
    v = np.rint((1 - f * c[:, 1] / safe) * H / 2 - 0.5)
    seen = ahead & (u >= 0) & (u <= W - 1) & (v >= 0) & (v <= H - 1)
    frame = np.zeros((H * W, 3), start.dtype)
    frame[seen] = start[v[seen].astype(int), u[seen].astype(int)]
    return frame.reshape(H, W, 3), seen.reshape(H, W)


def fill_unseen(frame: np.ndarray, seen: np.ndarray, start: np.ndarray, how: str) -> np.ndarray:
    """`frame` with its unseen pixels filled: `rowmean`, each row's mean colour in the start
    frame (sky, horizon, ground); `edge`, the nearest pixel the frame does show on the same
    row, smeared outwards (a row with none takes its row mean)."""
    if how not in FILLS:
        raise ValueError(f"fill must be one of {', '.join(FILLS)}, got {how!r}")
    out = frame.copy()
    row_means = np.broadcast_to(start.mean(1, keepdims=True).round().astype(start.dtype), start.shape)
    if how == "rowmean":
        out[~seen] = row_means[~seen]
        return out
    for r in range(frame.shape[0]):
        cols = np.flatnonzero(seen[r])
        if len(cols) == 0:
            out[r] = row_means[r]   # a row turned fully out of view
            continue
        out[r, :cols[0]] = out[r, cols[0]]
        out[r, cols[-1] + 1:] = out[r, cols[-1]]
    return out
