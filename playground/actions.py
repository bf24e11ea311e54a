"""The one action schema: a 25-dim float vector in the public Minecraft world-model layout.

Layout (DESIGN.md section 2; the MineRL/VPT buttons + camera as the public 500M model uses):

    0 inventory, 1 ESC, 2-10 hotbar.1-9, 11 forward, 12 back, 13 left, 14 right,
    15 camera pitch, 16 camera yaw, 17 jump, 18 sneak, 19 sprint, 20 swapHands,
    21 attack, 22 use, 23 pickItem, 24 drop

Buttons are 0/1 (a button counts as pressed when its value is > 0.5). Camera entries are in
[-1, 1]; 1.0 is the largest turn per tick (`MAX_TURN_DEGREES`), pitch positive looks down,
yaw positive turns right. The action at index t produced frame t; the first frame of a
session has the zero action (`zero()`).

Validation (`validate`) raises `ActionError` for a wrong shape, NaN/inf, a camera value
outside [-1, 1] or a button outside [0, 1]. It never clamps silently. `from_camera_degrees`
is the one documented clamp: a turn larger than `MAX_TURN_DEGREES` is clamped to it,
because a mouse can move any distance in one tick while the schema cannot express it.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from playground.errors import PlaygroundError

SCHEMA_VERSION = 1
ACTION_DIM = 25
MAX_TURN_DEGREES = 10.0  # camera value 1.0 turns this much in one tick

NAMES: tuple[str, ...] = (
    "inventory", "ESC",
    "hotbar.1", "hotbar.2", "hotbar.3", "hotbar.4", "hotbar.5",
    "hotbar.6", "hotbar.7", "hotbar.8", "hotbar.9",
    "forward", "back", "left", "right",
    "camera_pitch", "camera_yaw",
    "jump", "sneak", "sprint", "swapHands", "attack", "use", "pickItem", "drop",
)
INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}
assert len(NAMES) == ACTION_DIM

PITCH, YAW = INDEX["camera_pitch"], INDEX["camera_yaw"]
CAMERA = (PITCH, YAW)
BUTTONS: tuple[str, ...] = tuple(n for n in NAMES if not n.startswith("camera"))
HOTBAR = tuple(INDEX[f"hotbar.{k}"] for k in range(1, 10))
_BUTTON_MASK = np.ones(ACTION_DIM, dtype=bool)
_BUTTON_MASK[list(CAMERA)] = False


class ActionError(PlaygroundError, ValueError):
    """An action vector or button name that does not fit the schema."""


def zero() -> np.ndarray:
    """The no-op action (also the action of a session's first frame)."""
    return np.zeros(ACTION_DIM, dtype=np.float32)


def make(buttons: Iterable[str] = (), pitch: float = 0.0, yaw: float = 0.0) -> np.ndarray:
    """An action from pressed button names and camera values in [-1, 1].

    >>> make({"forward", "jump"}, yaw=0.5)[[11, 16, 17]]
    array([1. , 0.5, 1. ], dtype=float32)
    """
    a = zero()
    for name in buttons:
        if name not in INDEX or name.startswith("camera"):
            raise ActionError(f"unknown button {name!r}; buttons are: {', '.join(BUTTONS)}")
        a[INDEX[name]] = 1.0
    a[PITCH], a[YAW] = pitch, yaw
    return validate(a)


def from_camera_degrees(buttons: Iterable[str] = (), d_pitch: float = 0.0,
                        d_yaw: float = 0.0) -> np.ndarray:
    """An action from buttons and a turn in degrees; turns beyond MAX_TURN_DEGREES clamp."""
    if not (np.isfinite(d_pitch) and np.isfinite(d_yaw)):
        raise ActionError(f"camera turn must be finite, got pitch={d_pitch}, yaw={d_yaw}")
    clamp = lambda d: float(np.clip(d / MAX_TURN_DEGREES, -1.0, 1.0))  # noqa: E731
    return make(buttons, clamp(d_pitch), clamp(d_yaw))


def validate(action) -> np.ndarray:
    """Return `action` as a float32 array of shape (..., 25), or raise ActionError.

    Accepts a single action (25,) or a batch (..., 25).
    """
    a = np.asarray(action, dtype=np.float32)
    if a.shape[-1:] != (ACTION_DIM,):
        raise ActionError(f"an action has {ACTION_DIM} entries (see playground.actions.NAMES), "
                          f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        bad = [NAMES[i] for i in np.unique(np.nonzero(~np.isfinite(a))[-1])]
        raise ActionError(f"action has NaN/inf in {bad}")
    cam = a[..., list(CAMERA)]
    if np.any(np.abs(cam) > 1.0):
        raise ActionError(f"camera values must be in [-1, 1] (1.0 = {MAX_TURN_DEGREES} degrees "
                          f"per tick), got {cam.reshape(-1, 2).tolist()[:4]}")
    btn = a[..., _BUTTON_MASK]
    if np.any((btn < 0.0) | (btn > 1.0)):
        raise ActionError("button values must be in [0, 1] (pressed when > 0.5)")
    return a


def pressed(action: np.ndarray) -> set[str]:
    """Names of the buttons pressed in a single action."""
    a = validate(action)
    return {NAMES[i] for i in np.nonzero(_BUTTON_MASK & (a > 0.5))[0]}


def hotbar_slot(action: np.ndarray) -> int | None:
    """The hotbar slot 0-8 selected by this action, or None (lowest slot wins)."""
    hits = np.nonzero(np.asarray(action)[list(HOTBAR)] > 0.5)[0]
    return int(hits[0]) if len(hits) else None


def describe(action: np.ndarray) -> str:
    """Short human-readable form, e.g. 'forward+jump yaw=+0.50'."""
    a = validate(action)
    parts = ["+".join(sorted(pressed(a))) or "noop"]
    if a[PITCH]:
        parts.append(f"pitch={a[PITCH]:+.2f}")
    if a[YAW]:
        parts.append(f"yaw={a[YAW]:+.2f}")
    return " ".join(parts)
