"""Action accuracy by the inverse-dynamics model (idm.py), as GameWorld Score reports it:
drive a video source with held action segments (segments.py), each after a few idle
ticks, let the IDM say which keys and which camera turn each segment holds, and count how
often it is right.

A segment's verdict sums the IDM's log-probabilities over its ticks (the idle lead before
it is not scored). Keyboard accuracy is
counted over the segments that hold no camera turn, camera accuracy over those that hold
no key ("still" counts for both). A keyboard segment is kept only where the world itself
shows the key: the player moved at least half the walking speed in that direction, or
rose when jumping, and the picture changed (a walk into a wall or a jump against the sky
shows nothing to recognise). The same segments are
scored for every source, so the IDM's accuracy on the world's own frames is the ceiling
of the dream's.
"""
from __future__ import annotations

import math

import numpy as np

from playground.eval import segments as G
from playground.eval.idm import log_probs
from playground.eval.metrics import wilson
from playground.rules.physics import WALK_SPEED

# Direction of each walking key in the player's frame: (forward, right) components.
_WALK = {"forward": (1, 0), "back": (-1, 0), "left": (0, -1), "right": (0, 1)}
JUMP_RISE = 0.3     # blocks the feet must rise within a jumping segment
# Mean absolute change a tick (0-255) the world's picture must show over a key's scored
# ticks: a jump seen against the sky moves nothing on the screen.
VISIBLE_CHANGE = 1.5


def walk_direction(key: str, yaw_degrees: float) -> np.ndarray:
    """The (x, z) unit vector a walking key moves the player at this heading (physics.step's)."""
    f, r = _WALK[key]
    yaw = math.radians(yaw_degrees)
    return f * np.array([-math.sin(yaw), math.cos(yaw)]) + r * np.array([-math.cos(yaw), -math.sin(yaw)])


def shown_by_world(seg: G.Segment, poses: np.ndarray, frames: np.ndarray | None = None) -> bool:
    """Whether the world's poses (ticks + 1, 5) over the segment show its key, and its
    frames (ticks + 1, H, W, 3), when given, show the change on the screen."""
    if frames is not None and seg.keys != "none":
        if np.abs(np.diff(frames.astype(np.float32), axis=0)).mean() < VISIBLE_CHANGE:
            return False
    if seg.keys in _WALK:
        moved = poses[-1, [0, 2]] - poses[0, [0, 2]]
        return float(moved @ walk_direction(seg.keys, poses[0, 3])) >= 0.5 * WALK_SPEED * seg.ticks
    if seg.keys == "jump":
        return float(poses[1:, 1].max() - poses[0, 1]) >= JUMP_RISE
    return True


def verdicts(log_k: np.ndarray, log_c: np.ndarray, segs: list[G.Segment]) -> list[tuple[int, int]]:
    """(keyboard class, camera class) the IDM gives each segment of one rollout, from its
    log-probabilities (T, 6) and (T, 9) per step."""
    out, start = [], 0
    for seg in segs:
        start += seg.lead
        scored = slice(start, start + seg.ticks)
        out.append((int(log_k[scored].sum(0).argmax()), int(log_c[scored].sum(0).argmax())))
        start += seg.ticks
    return out


def kept_segments(segs_per_row: list[list[G.Segment]], poses: np.ndarray, frames: np.ndarray) -> list[list[bool]]:
    """Per rollout and segment: whether it is scored (the world shows its key), from the
    world's poses (B, T+1, 5) and frames (B, T+1, H, W, 3)."""
    kept = []
    for segs, p, f in zip(segs_per_row, poses, frames):
        row, start = [], 0
        for seg in segs:
            start += seg.lead
            span = slice(start, start + seg.ticks + 1)
            row.append(shown_by_world(seg, p[span], f[span]))
            start += seg.ticks
        kept.append(row)
    return kept


def score(idm, frames: np.ndarray, segs_per_row: list[list[G.Segment]], kept: list[list[bool]]) -> dict:
    """Keyboard and camera accuracy of a source's frames (B, T+1, H, W, 3), overall and per
    class, with Wilson 95% intervals, and the confusion counts (true class -> verdicts)."""
    log_k, log_c = log_probs(idm, frames)
    tally = {"keyboard": {c: [0, 0] for c in G.KEY_CLASSES}, "camera": {c: [0, 0] for c in G.CAMERA_CLASSES}}
    confusion = {"keyboard": np.zeros((len(G.KEY_CLASSES),) * 2, int),
                 "camera": np.zeros((len(G.CAMERA_CLASSES),) * 2, int)}
    for lk, lc, segs, keep in zip(log_k, log_c, segs_per_row, kept):
        for seg, ok, (vk, vc) in zip(segs, keep, verdicts(lk, lc, segs)):
            if not ok:
                continue
            for head, true, verdict, names, judged in (
                    ("keyboard", seg.keys, vk, G.KEY_CLASSES, seg.camera == "none"),
                    ("camera", seg.camera, vc, G.CAMERA_CLASSES, seg.keys == "none")):
                if judged:
                    t = names.index(true)
                    tally[head][true][0] += int(verdict == t)
                    tally[head][true][1] += 1
                    confusion[head][t, verdict] += 1
    out = {}
    for head, classes in tally.items():
        wins, total = sum(w for w, _ in classes.values()), sum(n for _, n in classes.values())
        rate, lo, hi = wilson(wins, total)
        out[head] = {"accuracy": rate, "ci95": [lo, hi], "segments": total,
                     "by_class": {c: {"accuracy": wilson(w, n)[0], "ci95": list(wilson(w, n)[1:]), "segments": n}
                                  for c, (w, n) in classes.items()},
                     "confusion": confusion[head].tolist()}
    return out


def segment_plans(seeds, kind: str) -> list[list[G.Segment]]:
    """Per seed: every kind once in a shuffled order ("scripted") or 14 kinds drawn at random."""
    plans = []
    for s in seeds:
        rng = np.random.default_rng([int(s), 17])
        plans.append(G.scripted(rng) if kind == "scripted" else G.random(rng, len(G.KINDS)))
    return plans
