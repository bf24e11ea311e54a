"""A turning tick starts from the turned picture (camera-warped start).

The frame sampler (`frame-k`) draws each new frame from pure noise, so on a turning tick
the model must redraw the whole picture shifted by about a latent cell (5 degrees a tick
in a 70-degree view): a small model redraws it blurred and the blur compounds tick after
tick. But a turn in place is a pure rotation of the camera, which has no parallax: the
frame just shown, re-projected to the turned camera (`voxel.reproject`), is the new view
wherever the old one saw it, whatever the depth. So a turning frame starts from that
re-projection, the strip the old view never showed filled with the nearest seen pixel of
its row, encoded and noised to level `turn_warp_level`; the schedule's calls below that
level then denoise it as usual, and the model redraws what the geometry puts in place and
imagines the new strip. This is warped-noise camera control (Burgert et al. 2025,
"Go-with-the-Flow"; Chang et al. 2024, "How I Warped Your Noise") with the camera's own
geometry as the flow.

The rotation is about the world's vertical, so the re-projection needs the camera's pitch:
the session starts from the pitch of the view its context was rendered at (0, a level
camera, when unknown) and follows the actions' pitch from there. Walking has parallax and
needs depth, which the dream does not have: moving ticks that do not turn start from noise.
"""
from __future__ import annotations

import numpy as np

from playground import actions as A
from playground.voxel.physics import turned
from playground.voxel.reproject import fill_unseen, reproject


def turns(actions: np.ndarray) -> np.ndarray:
    """(B, 25) -> (B,) bool: which rows' actions turn the camera this tick."""
    return (actions[:, A.YAW] != 0) | (actions[:, A.PITCH] != 0)


def next_pitch(pitch: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """The camera pitch (B,) in degrees after one tick of each row's action (B, 25)."""
    return np.array([turned(0.0, float(p), a)[1] for p, a in zip(pitch, actions)])


def turned_views(shown: np.ndarray, pitch: np.ndarray, actions: np.ndarray, fov_degrees: float) -> np.ndarray:
    """The frames just shown (n, H, W, 3) uint8, seen at pitch (n,) degrees, re-projected to
    the camera after each row's action (n, 25), the unseen strip edge-filled."""
    out = np.empty_like(shown)
    for i, (frame, p, a) in enumerate(zip(shown, pitch, actions)):
        view, seen = reproject(frame, (0.0, float(p)), turned(0.0, float(p), a), fov_degrees)
        out[i] = fill_unseen(view, seen, frame, "edge")
    return out
