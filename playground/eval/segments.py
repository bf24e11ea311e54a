"""Held action segments: what the inverse-dynamics model is trained on and what the action
accuracy measure drives the dream with.

A segment holds one keyboard class or one camera direction (never both, so each head of
the IDM is judged on the motion it names) for a number of ticks. The classes are those
GameWorld Score (Matrix-Game) reports: keyboard none / forward / back / left / right /
jump, camera none and the 8 directions. "still" holds nothing and counts for both.

A camera segment turns at a rate drawn from [0.3, 1.0] of the largest turn (3 to 10
degrees a tick) and never takes the pitch past +-60 degrees: a look up from high up is
turned into a look down, and named so; one that would pass the limit either way turns
more slowly (never below 0.3 for segments of up to 16 ticks).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground import actions as A

KEY_CLASSES = ("none", "forward", "back", "left", "right", "jump")
CAMERA_CLASSES = ("none", "up", "down", "left", "right", "up-left", "up-right", "down-left", "down-right")
# (pitch, yaw) signs of each camera class: pitch positive looks down, yaw positive turns right
CAMERA_SIGNS = {"none": (0, 0), "up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1),
                "up-left": (-1, -1), "up-right": (-1, 1), "down-left": (1, -1), "down-right": (1, 1)}
KINDS = tuple((k, "none") for k in KEY_CLASSES) + tuple(("none", c) for c in CAMERA_CLASSES[1:])
PITCH_LIMIT = 60.0
TICKS = 8          # ticks a scored segment is held
SETTLE = 2         # its first ticks are not scored: the last segment's momentum is still in them


@dataclass(frozen=True)
class Segment:
    keys: str          # one of KEY_CLASSES
    camera: str        # one of CAMERA_CLASSES
    rate: float        # camera value per tick of each turning axis (0 without a turn)
    ticks: int = TICKS

    def action(self) -> np.ndarray:
        dp, dy = CAMERA_SIGNS[self.camera]
        return A.make(() if self.keys == "none" else {self.keys}, pitch=dp * self.rate, yaw=dy * self.rate)


def _flip_vertical(camera: str) -> str:
    return camera.replace("up", "DOWN").replace("down", "up").replace("DOWN", "down")


def _segment(rng: np.random.Generator, kind: tuple[str, str], pitch: float, ticks: int) -> tuple[Segment, float]:
    """A segment of `kind` from camera pitch `pitch`, and the pitch after it."""
    keys, camera = kind
    rate = float(rng.uniform(0.3, 1.0)) if camera != "none" else 0.0
    dp = CAMERA_SIGNS[camera][0]
    turn = A.MAX_TURN_DEGREES * ticks          # degrees per unit of rate over the segment
    if dp and abs(pitch + dp * rate * turn) > PITCH_LIMIT:
        if abs(pitch - dp * rate * turn) > PITCH_LIMIT:   # too far either way: towards level, slower
            rate = min(rate, (PITCH_LIMIT + abs(pitch)) / turn)
            if dp * pitch > 0:
                camera, dp = _flip_vertical(camera), -dp
        else:
            camera, dp = _flip_vertical(camera), -dp
    return Segment(keys, camera, rate, ticks), pitch + dp * rate * turn


def scripted(rng: np.random.Generator, rounds: int = 1) -> list[Segment]:
    """Every kind once per round (14 segments), in an order shuffled by `rng`."""
    out, pitch = [], 0.0
    for _ in range(rounds):
        for i in rng.permutation(len(KINDS)):
            seg, pitch = _segment(rng, KINDS[i], pitch, TICKS)
            out.append(seg)
    return out


def random(rng: np.random.Generator, n: int, ticks: tuple[int, int] = (TICKS, TICKS)) -> list[Segment]:
    """n segments of kinds drawn at random, each held for a length drawn from `ticks`
    (inclusive; the IDM's training data varies it, the measure holds TICKS)."""
    out, pitch = [], 0.0
    for _ in range(n):
        seg, pitch = _segment(rng, KINDS[int(rng.integers(len(KINDS)))], pitch,
                              int(rng.integers(ticks[0], ticks[1] + 1)))
        out.append(seg)
    return out


def actions(segments: list[Segment]) -> np.ndarray:
    """(sum of ticks, 25) the actions of the segments, one after another."""
    return np.stack([s.action() for s in segments for _ in range(s.ticks)])


def labels(acts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keyboard and camera class indices (T,) of actions (T, 25) made by Segment.action."""
    acts = np.asarray(acts)
    keys = np.zeros(len(acts), np.int64)
    for i, name in enumerate(KEY_CLASSES[1:], 1):
        keys[acts[:, A.INDEX[name]] > 0.5] = i
    signs = np.sign(np.round(acts[:, [A.PITCH, A.YAW]], 6)).astype(int)
    lookup = {v: i for i, v in enumerate(CAMERA_SIGNS.values())}
    camera = np.array([lookup[(int(p), int(y))] for p, y in signs], np.int64)
    return keys, camera
