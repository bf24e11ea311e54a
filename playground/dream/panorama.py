"""What the camera has been shown from where it stands: the views a turn is redrawn from.

The turn warp (turn_warp.py) redraws a turning tick from the frame just shown, re-projected
to the turned camera. That frame is itself a dream, re-encoded and redrawn each tick, so a
long turn copies the blur of every tick before it, and turning back does not bring back
what was there. But while the camera only turns, every view it was shown is a view of the
same place from the same point: each one re-projects exactly to any later pose, whatever
the depth (a rotation has no parallax). So a panorama keeps, per batch row, the views shown
since the camera last moved, oldest first: the context frame the dream was reset with (the
world's own picture), then each turned frame that showed enough new ground. A turning tick
is drawn from the oldest view that saw each pixel, and from the frame just shown where none
did. Anything but a turn (a movement key, a jump, sneaking, using an item) may move the
camera or change what it sees, so the panorama starts again from the frame shown after it.
"""
from __future__ import annotations

import numpy as np

from playground import actions as A
from playground.camera import CameraModel, fill_unseen, reproject, turned, view_rotation

NOT_CAMERA = np.setdiff1d(np.arange(A.ACTION_DIM), A.CAMERA)
# A turned frame joins the panorama when at least this share of its pixels is ground no
# kept view showed: about every 5 ticks of a full-speed turn (70-degree view, 5 degrees a tick).
NEW_SHARE = 1 / 3
# A full turn at full speed, plus a look up and down: room for about one and a half turns.
MAX_VIEWS = 24


def stays(actions: np.ndarray) -> np.ndarray:
    """(B, 25) -> (B,) bool: which rows only turn the camera (or do nothing) this tick."""
    return ~(np.abs(actions[:, NOT_CAMERA]) > 0.5).any(1)


class Panorama:
    """Per batch row: the views (frame, yaw, pitch) kept since the camera last moved, oldest
    first, the frame shown last and the camera pose (yaw, pitch) in degrees, the yaw relative
    to the first view's. frames (B, H, W, 3) uint8 as shown at pitch (B,) degrees with `camera`.
    max_views 0 keeps none: turns are redrawn from the frame just shown only."""

    def __init__(self, frames: np.ndarray, pitch: np.ndarray, camera: CameraModel, max_views: int = MAX_VIEWS):
        self.fov, self.turn, self.max_views = camera.fov_degrees, camera.turn_degrees, max_views
        H, W = frames.shape[1:3]
        # Two views share no pixel when their axes are further apart than the sum of their
        # half-diagonal fields of view: turned() skips those (a re-projection is ~0.3 ms).
        self.reach = 2 * np.arctan(np.hypot(1, W / H) * np.tan(np.radians(self.fov) / 2))
        self.shown = frames.copy()
        self.pose = np.zeros((len(frames), 2))
        self.views: list[list] = [[] for _ in frames]
        self.restart(np.arange(len(frames)), frames, pitch)
        self._cover: dict[int, np.ndarray] = {}

    @property
    def pitch(self) -> np.ndarray:
        return self.pose[:, 1].copy()

    def restart(self, rows: np.ndarray, frames: np.ndarray, pitch: np.ndarray) -> None:
        """Rows `rows` start again from their frames (n, H, W, 3) at pitch (n,)."""
        for i, frame, p in zip(rows, frames, pitch):
            self.shown[i] = frame
            self.pose[i] = (0.0, float(p))
            self.views[i] = [(frame.copy(), 0.0, float(p))] if self.max_views else []

    def turned(self, rows: np.ndarray, actions: np.ndarray):
        """The turned views of rows `rows` (n,) after their actions (n, 25): (views (n, H, W, 3)
        uint8, each pixel from the oldest kept view that saw it, else from the frame just
        shown, with what neither saw edge-filled so the encoder meets no hard border; seen
        (n, H, W) bool)."""
        views = np.empty((len(rows), *self.shown.shape[1:]), self.shown.dtype)
        seen = np.empty(views.shape[:3], bool)
        for j, (i, a) in enumerate(zip(rows, actions)):
            pose = turned(*self.pose[i], a, self.turn)
            axis = view_rotation(*pose)[:, 2]
            view, cover = np.zeros_like(views[j]), np.zeros(views.shape[1:3], bool)
            for frame, yaw, pitch in self.views[i]:
                if np.arccos(np.clip(axis @ view_rotation(yaw, pitch)[:, 2], -1, 1)) <= self.reach:
                    cover = self._paint(view, cover, frame, (yaw, pitch), pose)
                    if cover.all():
                        break
            self._cover[int(i)] = cover
            seen[j] = self._paint(view, cover, self.shown[i], tuple(self.pose[i]), pose)
            views[j] = fill_unseen(view, seen[j], self.shown[i], "edge")
        return views, seen

    def _paint(self, view: np.ndarray, cover: np.ndarray, frame: np.ndarray, frame_pose, pose) -> np.ndarray:
        """Draw `frame`, seen from `frame_pose`, into `view` at `pose` where `cover` (H, W)
        has nothing yet; returns the cover with what it saw added."""
        part, saw = reproject(frame, frame_pose, pose, self.fov)
        fresh = saw & ~cover
        view[fresh] = part[fresh]
        return cover | saw

    def advance(self, actions: np.ndarray, shown: np.ndarray) -> None:
        """After a tick: the rows' actions (B, 25) and the frames (B, H, W, 3) shown for them."""
        still = stays(actions)
        for i, a in enumerate(actions):
            self.pose[i] = turned(*self.pose[i], a, self.turn)
            if not still[i]:
                self.restart([i], shown[i:i + 1], self.pose[i:i + 1, 1])
                continue
            cover = self._cover.get(i)
            if cover is not None and (~cover).mean() >= NEW_SHARE and len(self.views[i]) < self.max_views:
                self.views[i].append((shown[i].copy(), *self.pose[i]))
        self.shown = shown.copy()
        self._cover = {}
