"""Action spaces shared by every playground env: the full 25-dim vector, or named
discrete macro-actions for agents."""
from __future__ import annotations

import numpy as np
from gymnasium import spaces

from playground import actions as A
from playground.config import is_whole

# Discrete macro-actions: (name, buttons, pitch, yaw).
MACROS: tuple[tuple[str, tuple[str, ...], float, float], ...] = (
    ("noop", (), 0.0, 0.0),
    ("forward", ("forward",), 0.0, 0.0),
    ("back", ("back",), 0.0, 0.0),
    ("left", ("left",), 0.0, 0.0),
    ("right", ("right",), 0.0, 0.0),
    ("turn_left", (), 0.0, -0.5),
    ("turn_right", (), 0.0, 0.5),
    ("look_up", (), -0.5, 0.0),
    ("look_down", (), 0.5, 0.0),
    ("jump", ("jump",), 0.0, 0.0),
    ("forward_jump", ("forward", "jump"), 0.0, 0.0),
    ("sprint_forward", ("forward", "sprint"), 0.0, 0.0),
    ("attack", ("attack",), 0.0, 0.0),
    ("use", ("use",), 0.0, 0.0),
)
MACRO_NAMES = tuple(m[0] for m in MACROS)
MACRO_VECTORS = np.stack([A.make(b, pitch=p, yaw=y) for _, b, p, y in MACROS])


def action_space(mode: str) -> spaces.Space:
    if mode == "vector":
        return spaces.Box(-1.0, 1.0, (A.ACTION_DIM,), np.float32)
    if mode == "discrete":
        return spaces.Discrete(len(MACROS))
    raise ValueError(f"action_mode must be 'vector' or 'discrete', got {mode!r}")


def to_schema(action, mode: str) -> np.ndarray:
    """An env action -> the schema vector. Vector mode: buttons are pressed when > 0.5,
    camera entries are clipped to [-1, 1]."""
    if mode == "discrete":
        i = action.item() if isinstance(action, np.ndarray) and action.shape == () else action
        if not (is_whole(i) and i < len(MACROS)):
            raise A.ActionError(f"discrete action must be an integer in [0, {len(MACROS)}), got {action!r}")
        return MACRO_VECTORS[int(i)].copy()
    a = np.asarray(action, dtype=np.float32)
    if a.shape != (A.ACTION_DIM,):
        raise A.ActionError(f"vector action must be 25 finite floats, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        bad = [A.NAMES[i] for i in np.flatnonzero(~np.isfinite(a))]
        raise A.ActionError(f"vector action must be 25 finite floats; not finite: {', '.join(bad)}")
    out = (a > 0.5).astype(np.float32)
    out[list(A.CAMERA)] = np.clip(a[list(A.CAMERA)], -1.0, 1.0)
    return out


def keys_to_action(mode: str) -> dict:
    """For gymnasium.utils.play.play: tuples of keys (chars) -> env action."""
    if mode == "discrete":
        names = {"w": "forward", "s": "back", "a": "left", "d": "right", "q": "turn_left",
                 "e": "turn_right", "r": "look_up", "f": "look_down", " ": "jump", "x": "attack",
                 "c": "use"}
        return {(k,): MACRO_NAMES.index(v) for k, v in names.items()}
    keys = {"w": "forward", "s": "back", "a": "left", "d": "right", " ": "jump"}
    cams = {"q": (0.0, -0.5), "e": (0.0, 0.5), "r": (-0.5, 0.0), "f": (0.5, 0.0)}
    out = {}
    for k, b in keys.items():
        out[(k,)] = A.make({b})
        for c, (p, y) in cams.items():
            out[tuple(sorted((k, c)))] = A.make({b}, pitch=p, yaw=y)
    for c, (p, y) in cams.items():
        out[(c,)] = A.make(pitch=p, yaw=y)
    out[tuple(sorted(("w", " ")))] = A.make({"forward", "jump"})
    return out
