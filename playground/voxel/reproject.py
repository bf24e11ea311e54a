"""A view redrawn from an earlier view of the same place: exact camera geometry.

Turning in place is a pure rotation of the camera, which has no parallax: every pixel of
the turned view that the earlier view already showed is that earlier pixel, whatever its
depth. `reproject` finds them (nearest pixel, the camera model of `raycast.camera_rays`);
`fill_unseen` fills what the earlier view never showed without imagination. The
evaluation's turning ceiling (eval/reprojection.py) and the dream's warped start for
turning ticks (dream/turn_warp.py) both draw turns so. Moving has parallax:
`reproject_moved` needs the depth of both views, which only the voxel world knows, so only
the evaluation's geometry ceiling uses it.
"""
from __future__ import annotations

import numpy as np

from playground.voxel.raycast import CLOUD_Y, camera_rays, view_rotation

FILLS = ("rowmean", "edge")


def reproject(start: np.ndarray, start_pose, pose, fov_degrees: float):
    """The view `start` (H, W, 3), seen from camera pose (yaw, pitch) `start_pose`, turned to
    `pose` without moving: returns (frame, seen) with seen (H, W) True where the start frame
    shows the pixel (nearest start pixel), frame zero elsewhere."""
    H, W = start.shape[:2]
    rays = camera_rays(W, H, fov_degrees) @ view_rotation(*pose).T    # world directions (N, 3)
    u, v, seen = _start_pixels(rays @ view_rotation(*start_pose), H, W, fov_degrees)
    frame = np.zeros((H * W, 3), start.dtype)
    frame[seen] = start[v[seen], u[seen]]
    return frame.reshape(H, W, 3), seen.reshape(H, W)


def _start_pixels(c: np.ndarray, H: int, W: int, fov_degrees: float):
    """The nearest start pixel (u, v) of points `c` (N, 3) in start-camera coordinates, and
    whether the start view shows it (ahead of the camera, inside the frame); int (N,) x 2, bool (N,)."""
    f = 1.0 / np.tan(np.radians(fov_degrees) / 2)
    z = c[:, 2]
    ahead = z > 1e-6
    safe = np.where(ahead, z, 1.0)
    # Inverse of camera_rays' pixel grid: x = (2 (u + 0.5) / W - 1) W / H, y = 1 - 2 (v + 0.5) / H.
    u = np.rint((f * c[:, 0] / safe * H / W + 1) * W / 2 - 0.5)
    v = np.rint((1 - f * c[:, 1] / safe) * H / 2 - 0.5)
    seen = ahead & (u >= 0) & (u <= W - 1) & (v >= 0) & (v <= H - 1)
    return np.where(seen, u, 0).astype(int), np.where(seen, v, 0).astype(int), seen


def reproject_moved(start: np.ndarray, start_depth: np.ndarray, start_eye, start_pose,
                    depth: np.ndarray, eye, pose, fov_degrees: float, tolerance: float = 0.08):
    """The view `start` (H, W, 3), seen from `start_eye` (world coords) with camera pose
    `start_pose`, redrawn from `eye` and `pose`: moving has parallax, so this needs the
    depth of the new view, `depth` (H, W), distances along its rays as `raycast.ray_depth`
    gives them (inf: sky; clouds lie on their plane, the rest is infinitely far). Each new
    pixel's point is looked up in the start view (nearest pixel) and kept if the start view
    shows it, not a nearer surface in front of it (`start_depth`, with `tolerance` of its
    distance for grazing rays).
    Returns (frame, seen) as `reproject` does; without moving it redraws what `reproject` does."""
    H, W = start.shape[:2]
    rays = camera_rays(W, H, fov_degrees) @ view_rotation(*pose).T    # world directions (N, 3)
    t = depth.reshape(-1)
    sky = np.isinf(t)
    eye = np.asarray(eye, np.float64)
    offset = eye - np.asarray(start_eye, np.float64)
    # Sky rays that rise meet the clouds' plane (raycast.sky), which moving shifts; the rest of
    # the sky is infinitely far.
    clouds = sky & (rays[:, 1] > 0.02)
    t = np.where(clouds, (CLOUD_Y - eye[1]) / np.where(clouds, rays[:, 1], 1.0), t)
    far = sky & ~clouds
    points = np.where(far[:, None], rays, rays * np.where(far, 0.0, t)[:, None] + offset)   # from the start eye
    ui, vi, seen = _start_pixels(points @ view_rotation(*start_pose), H, W, fov_degrees)
    there = start_depth[vi, ui]
    distance = np.linalg.norm(points, axis=1)
    if offset.any():   # turning in place cannot uncover what a nearer surface hid
        seen &= np.where(sky, np.isinf(there), there > distance * (1 - tolerance) - 0.05)
    frame = np.zeros((H * W, 3), start.dtype)
    frame[seen] = start[vi[seen], ui[seen]]
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
