"""The camera: one model of it for the voxel world, the dream's geometric helpers and evaluation.

A pinhole camera at the eye, x right, y up, z forward in camera space, square pixels, the
vertical field of view `FOV_DEGREES`; (yaw, pitch) in degrees as Minecraft's screen shows
them (yaw 0 looks along +z, positive yaw turns right, positive pitch looks down). A camera
action of 1.0 turns `actions.MAX_TURN_DEGREES` in one tick. The world renders with this
camera, checkpoints trained on its frames record it (`CameraModel`), and a turn re-projects
one view into another with it (a rotation has no parallax: exact whatever the depth).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from playground import actions as A
from playground.config import ConfigError

FOV_DEGREES = 70.0      # the voxel world's vertical field of view
PITCH_LIMIT = 89.0      # the camera never looks straight up or down
FILLS = ("rowmean", "edge")


@dataclass(frozen=True)
class CameraModel:
    """What a checkpoint's frames were seen with: stored in its metadata and in recordings."""
    fov_degrees: float = FOV_DEGREES
    turn_degrees: float = A.MAX_TURN_DEGREES   # the turn of a camera action of 1.0 in one tick

    def __post_init__(self):
        if not 0 < self.fov_degrees < 180:
            raise ConfigError(f"camera fov_degrees must be between 0 and 180, got {self.fov_degrees!r}")
        if not self.turn_degrees > 0:
            raise ConfigError(f"camera turn_degrees must be positive, got {self.turn_degrees!r}")


def from_checkpoint(info: dict) -> CameraModel:
    """The camera a loaded checkpoint's metadata records (extra["camera"]). Checkpoints that
    record none were trained on the voxel world's frames, seen with the default camera."""
    from playground.config import build
    return build(CameraModel, info.get("extra", {}).get("camera", {}), f"{info.get('path')} camera")


@lru_cache(maxsize=8)
def camera_rays(width: int, height: int, fov_degrees: float) -> np.ndarray:
    """Unit ray directions in camera space (x right, y up, z forward), (H*W, 3)."""
    f = 1.0 / np.tan(np.radians(fov_degrees) / 2)
    ys = (1 - 2 * (np.arange(height) + 0.5) / height)
    xs = (2 * (np.arange(width) + 0.5) / width - 1) * width / height
    X, Y = np.meshgrid(xs, ys)
    d = np.stack([X, Y, np.full_like(X, f)], -1).reshape(-1, 3)
    return d / np.linalg.norm(d, axis=1, keepdims=True)


def view_rotation(yaw_degrees: float, pitch_degrees: float) -> np.ndarray:
    """Camera-to-world rotation (3, 3), its columns the camera's axes in world space."""
    yw, pt = np.radians(yaw_degrees), np.radians(pitch_degrees)
    right = np.array([-np.cos(yw), 0.0, -np.sin(yw)])
    forward_flat = np.array([-np.sin(yw), 0.0, np.cos(yw)])
    forward = np.cos(pt) * forward_flat + np.array([0.0, -np.sin(pt), 0.0])
    up = np.cross(right, forward)
    return np.stack([right, up, forward], axis=1)


def turned(yaw: float, pitch: float, action: np.ndarray,
           turn_degrees: float = A.MAX_TURN_DEGREES) -> tuple[float, float]:
    """The camera (yaw, pitch) in degrees after one tick of `action`'s camera turn."""
    return ((yaw + float(action[A.YAW]) * turn_degrees) % 360.0,
            float(pitched(np.float64(pitch), action[None], turn_degrees)[0]))


def pitched(pitch: np.ndarray, actions: np.ndarray, turn_degrees: float = A.MAX_TURN_DEGREES) -> np.ndarray:
    """The pitches (B,) in degrees after one tick of the actions' (B, 25) camera turns."""
    return np.clip(pitch + actions[:, A.PITCH].astype(np.float64) * turn_degrees, -PITCH_LIMIT, PITCH_LIMIT)


def pixel_coordinates(c: np.ndarray, H: int, W: int, fov_degrees: float, near: float = 1e-6):
    """Where points `c` (N, 3) in camera coordinates land on the pixel grid: float u, v (N,)
    (pixel centres at whole numbers), and whether each lies more than `near` ahead."""
    f = 1.0 / np.tan(np.radians(fov_degrees) / 2)
    ahead = c[:, 2] > near
    safe = np.where(ahead, c[:, 2], 1.0)
    # Inverse of camera_rays' pixel grid: x = (2 (u + 0.5) / W - 1) W / H, y = 1 - 2 (v + 0.5) / H.
    return (f * c[:, 0] / safe * H / W + 1) * W / 2 - 0.5, (1 - f * c[:, 1] / safe) * H / 2 - 0.5, ahead


def project(c: np.ndarray, H: int, W: int, fov_degrees: float):
    """The nearest pixel (u, v) of points `c` (N, 3) in camera coordinates, and whether the
    view shows it (ahead of the camera, inside the frame); int (N,) x 2, bool (N,)."""
    u, v, ahead = pixel_coordinates(c, H, W, fov_degrees)
    u, v = np.rint(u), np.rint(v)
    seen = ahead & (u >= 0) & (u <= W - 1) & (v >= 0) & (v <= H - 1)
    return np.where(seen, u, 0).astype(int), np.where(seen, v, 0).astype(int), seen


def reproject(start: np.ndarray, start_pose, pose, fov_degrees: float):
    """The view `start` (H, W, 3), seen from camera pose (yaw, pitch) `start_pose`, turned to
    `pose` without moving: returns (frame, seen) with seen (H, W) True where the start frame
    shows the pixel (nearest start pixel), frame zero elsewhere."""
    H, W = start.shape[:2]
    rays = camera_rays(W, H, fov_degrees) @ view_rotation(*pose).T    # world directions (N, 3)
    u, v, seen = project(rays @ view_rotation(*start_pose), H, W, fov_degrees)
    frame = np.zeros((H * W, 3), start.dtype)
    frame[seen] = start[v[seen], u[seen]]
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
    H, W = seen.shape
    first, last = seen.argmax(1), W - 1 - seen[:, ::-1].argmax(1)      # (H,) the row's outermost seen pixels
    cols = np.clip(np.arange(W)[None], first[:, None], last[:, None])   # (H, W) inside them: itself
    out = out[np.arange(H)[:, None], cols]
    empty = ~seen.any(1)                                                # rows turned fully out of view
    out[empty] = row_means[empty]
    return out
