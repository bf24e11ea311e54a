"""A view redrawn from an earlier view of the same place after the camera moved.

Turning in place has no parallax (`camera.reproject`); moving does, so `reproject_moved`
needs the depth of both views, which only the voxel world knows (its clouds lie on a
plane of their own): the evaluation's geometry ceiling uses it.
"""
from __future__ import annotations

import numpy as np

from playground.camera import camera_rays, project, view_rotation
from playground.voxel.raycast import CLOUD_Y


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
    ui, vi, seen = project(points @ view_rotation(*start_pose), H, W, fov_degrees)
    there = start_depth[vi, ui]
    distance = np.linalg.norm(points, axis=1)
    if offset.any():   # turning in place cannot uncover what a nearer surface hid
        seen &= np.where(sky, np.isinf(there), there > distance * (1 - tolerance) - 0.05)
    frame = np.zeros((H * W, 3), start.dtype)
    frame[seen] = start[vi[seen], ui[seen]]
    return frame.reshape(H, W, 3), seen.reshape(H, W)
