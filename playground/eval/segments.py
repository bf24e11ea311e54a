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
# Ticks a scored segment is held, every one scored: the onset of an action from rest, which
# is what two frames can tell (after about 5 ticks a jump falls again, and falling looks the
# same whether jump is held or not).
TICKS = 4
# Idle ticks before each scored segment: the player lands and stops (a jump's arc lasts about
# 12 ticks, walking speed halves every tick on the ground), so what the segment shows comes
# from its own key and not from the momentum of the one before (which no two frames can
# tell apart: falling after a jump looks the same whatever is held).
LEAD = 6


@dataclass(frozen=True)
class Segment:
    keys: str          # one of KEY_CLASSES
    camera: str        # one of CAMERA_CLASSES
    rate: float        # camera value per tick of each turning axis (0 without a turn)
    ticks: int = TICKS
    lead: int = 0      # idle ticks before it (not part of the segment's action)

    def action(self) -> np.ndarray:
        dp, dy = CAMERA_SIGNS[self.camera]
        return A.make(() if self.keys == "none" else {self.keys}, pitch=dp * self.rate, yaw=dy * self.rate)


def _flip_vertical(camera: str) -> str:
    return camera.replace("up", "DOWN").replace("down", "up").replace("DOWN", "down")


def _segment(rng: np.random.Generator, kind: tuple[str, str], pitch: float, ticks: int,
             lead: int = 0) -> tuple[Segment, float]:
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
    return Segment(keys, camera, rate, ticks, lead), pitch + dp * rate * turn


def scripted(rng: np.random.Generator, rounds: int = 1, lead: int = LEAD) -> list[Segment]:
    """Every kind once per round (14 segments), in an order shuffled by `rng`, each after
    `lead` idle ticks."""
    out, pitch = [], 0.0
    for _ in range(rounds):
        for i in rng.permutation(len(KINDS)):
            seg, pitch = _segment(rng, KINDS[i], pitch, TICKS, lead)
            out.append(seg)
    return out


def random(rng: np.random.Generator, n: int, ticks: tuple[int, int] = (TICKS, TICKS),
           lead: int = LEAD) -> list[Segment]:
    """n segments of kinds drawn at random, each held for a length drawn from `ticks`
    (inclusive) after `lead` idle ticks. The IDM trains on segments of 4-16 ticks one
    straight after another (lead 0); the measure holds TICKS after LEAD idle ticks."""
    out, pitch = [], 0.0
    for _ in range(n):
        seg, pitch = _segment(rng, KINDS[int(rng.integers(len(KINDS)))], pitch,
                              int(rng.integers(ticks[0], ticks[1] + 1)), lead)
        out.append(seg)
    return out


def actions(segments: list[Segment]) -> np.ndarray:
    """(sum of lead + ticks, 25) the actions of the segments, one after another, each
    after its idle lead."""
    return np.stack([a for s in segments for a in [A.zero()] * s.lead + [s.action()] * s.ticks])


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
