"""Sampling schedules as data (Meta-ARVDM's unified autoregressive form).

A schedule is a table of per-frame noise levels: `levels[r, j]` is the level of the frame
in window slot j when model call r of an autoregressive (AR) step is made; one extra last
row holds the levels after the last call. After the last call the window shifts by
`shift` frames: the first `shift` frames leave (emitted) and `shift` fresh noise frames
enter at the back. Levels are integers 0 .. TOP (TOP = pure noise).

A table must satisfy three conditions (validated by `validate`):
  1. monotone:  a frame's level never increases (down the rows of each column);
  2. circular:  the table repeats from one AR step to the next: the last row shifted by
                `shift` equals the first row (levels[-1, j + shift] == levels[0, j]);
  3. boundary:  frames enter at the top level (levels[0, j] == TOP for the `shift` newest
                slots) and leave at level 0 (levels[-1, j] == 0 for the `shift` front slots).

Slots whose level is 0 in every row are clean context: the streaming session serves them
from its key/value cache instead of recomputing them. Such frames are shown to the model
with the label `context_label` (the public Minecraft model's "stabilisation" level).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from playground.config import is_whole
from playground.errors import PlaygroundError
from playground.model.diffusion import LEVELS

TOP = LEVELS - 1


class ScheduleError(PlaygroundError, ValueError):
    """A schedule table that breaks one of the three conditions (or bad parameters)."""


@dataclass(frozen=True)
class Schedule:
    name: str
    levels: np.ndarray           # (calls + 1, window) int
    shift: int                   # frames emitted per AR step
    context_label: int = 0       # noise-level label shown to the model for clean frames

    @property
    def calls(self) -> int:
        return self.levels.shape[0] - 1

    @property
    def window(self) -> int:
        return self.levels.shape[1]

    @property
    def context(self) -> int:
        """Leading slots that are clean in every row (served from the cache)."""
        clean = np.all(self.levels == 0, axis=0)
        return int(np.argmin(clean)) if not clean.all() else self.window

    @property
    def latency(self) -> int:
        """Worst-case ticks from an action until a frame conditioned on it is shown,
        without re-conditioning: a frame entering now is shown once the noisy slots
        ahead of it have left, and within a chunk the last frame waits shift - 1 ticks."""
        return max(0, self.window - self.context - 1)

    def describe(self) -> str:
        return f"{self.name} (window {self.window}, calls/step {self.calls}, shift {self.shift})"


def validate(s: Schedule) -> Schedule:
    L = np.asarray(s.levels)
    if L.ndim != 2 or L.shape[0] < 2 or L.shape[1] < 1:
        raise ScheduleError(f"schedule {s.name!r}: need a (calls + 1, window) table, got shape {L.shape}")
    if not 1 <= s.shift <= L.shape[1]:
        raise ScheduleError(f"schedule {s.name!r}: shift must be in [1, window={L.shape[1]}], got {s.shift}")
    if L.min() < 0 or L.max() > TOP:
        raise ScheduleError(f"schedule {s.name!r}: levels must be in [0, {TOP}]")
    up = np.argwhere(np.diff(L, axis=0) > 0)
    if len(up):
        r, j = up[0]
        raise ScheduleError(f"schedule {s.name!r} breaks condition 1 (monotone): slot {j} goes from "
                            f"level {L[r, j]} at row {r} up to {L[r + 1, j]} at row {r + 1}")
    c = s.shift
    bad = np.nonzero(L[-1, c:] != L[0, :-c] if c < L.shape[1] else np.zeros(0, bool))[0]
    if len(bad):
        j = bad[0]
        raise ScheduleError(f"schedule {s.name!r} breaks condition 2 (circular): after the step, slot "
                            f"{j + c} is at level {L[-1, j + c]} but moves to slot {j}, which starts "
                            f"the next step at level {L[0, j]}")
    enter = np.nonzero(L[0, L.shape[1] - c:] != TOP)[0]
    if len(enter):
        j = L.shape[1] - c + enter[0]
        raise ScheduleError(f"schedule {s.name!r} breaks condition 3 (boundary): new frames enter at "
                            f"level {TOP}, but slot {j} starts at {L[0, j]}")
    leave = np.nonzero(L[-1, :c] != 0)[0]
    if len(leave):
        raise ScheduleError(f"schedule {s.name!r} breaks condition 3 (boundary): frames leave at level 0, "
                            f"but slot {leave[0]} ends the step at {L[-1, leave[0]]}")
    return s


def _level(fraction) -> np.ndarray:
    return np.rint(np.asarray(fraction, dtype=np.float64) * TOP).astype(np.int64)


def progressive(frames: int = 4, chunk: int = 1, context: int = 1, substeps: int = 1) -> Schedule:
    """PA-VDM: `frames` noisy frames in chunks of `chunk` at increasing levels
    (chunk i at (i + 1) / (frames / chunk) of the top level), `context` clean frames in
    front; every tick `substeps` model calls each move every frame down one sub-level;
    then the front chunk is clean and is emitted."""
    if frames % chunk:
        raise ScheduleError(f"progressive: frames ({frames}) must be a multiple of chunk ({chunk})")
    n = frames // chunk
    rows = []
    for r in range(substeps + 1):
        noisy = np.repeat(_level((np.arange(n) + 1 - r / substeps) / n), chunk)
        rows.append(np.r_[np.zeros(context, np.int64), noisy])
    return validate(Schedule(f"progressive(F={frames},c={chunk},o={context},s={substeps})",
                             np.stack(rows), shift=chunk))


def frame(steps: int = 4, context: int = 8, context_label: int = 0) -> Schedule:
    """The public Minecraft models' way: clean context, the newest frame denoised from the
    top level to 0 in `steps` calls, context labelled `context_label`."""
    new = _level(np.linspace(1.0, 0.0, steps + 1))
    L = np.zeros((steps + 1, context + 1), np.int64)
    L[:, -1] = new
    return validate(Schedule(f"frame(k={steps},ctx={context})", L, shift=1, context_label=context_label))


def pyramid(steps: int = 8, uncertainty: int = 2, context: int = 1) -> Schedule:
    """Diffusion forcing's pyramid M[m, t] = clip(S + t*u - m, 0, S) as a stream: frames
    `uncertainty` sampling steps apart, S / u noisy frames in flight, one frame out every
    u calls."""
    if steps % uncertainty:
        raise ScheduleError(f"pyramid: steps ({steps}) must be a multiple of uncertainty ({uncertainty})")
    s = progressive(frames=steps // uncertainty, chunk=1, context=context, substeps=uncertainty)
    return Schedule(f"pyramid(S={steps},u={uncertainty})", s.levels, s.shift)


def chunked(chunk: int = 4, steps: int = 4, context: int = 4) -> Schedule:
    """A chunk of `chunk` frames denoised together from the top level in `steps` calls
    with clean context; the whole chunk is emitted at once."""
    new = _level(np.linspace(1.0, 0.0, steps + 1))
    L = np.zeros((steps + 1, context + chunk), np.int64)
    L[:, context:] = new[:, None]
    return validate(Schedule(f"chunked(c={chunk},k={steps})", L, shift=chunk))


PRESETS = {"progressive": progressive, "frame": frame, "pyramid": pyramid, "chunked": chunked}

# Named settings (bench rows, the client's [ ] cycle): name -> (preset, parameters).
NAMED = {
    "frame-2": ("frame", {"steps": 2}),
    "frame-4": ("frame", {"steps": 4}),
    "progressive-4": ("progressive", {"frames": 4, "chunk": 1, "context": 1, "substeps": 1}),
    "pyramid-8-2": ("pyramid", {"steps": 8, "uncertainty": 2}),
    "chunked-4": ("chunked", {"chunk": 4, "steps": 4, "context": 4}),
}
# The parameter that "denoising steps" means for each preset (the client's + / - keys).
STEP_PARAM = {"frame": "steps", "chunked": "steps", "progressive": "substeps", "pyramid": "uncertainty"}


def preset(name: str, **params) -> Schedule:
    """A named preset; every preset also takes `context_label` (the level its clean
    context is shown at)."""
    if name not in PRESETS:
        raise ScheduleError(f"unknown schedule {name!r}; presets: {', '.join(PRESETS)}")
    label = params.pop("context_label", None)
    for key, value in params.items():
        least = 0 if key == "context" else 1
        if not is_whole(value, least):
            raise ScheduleError(f"schedule {name!r}: {key} must be an integer of at least {least}, got {value!r}")
    try:
        sched = PRESETS[name](**params)
    except TypeError as e:
        raise ScheduleError(f"schedule {name!r}: {e}") from None
    if label is None:
        return sched
    if not 0 <= int(label) < TOP:
        raise ScheduleError(f"context_label must be in [0, {TOP}), got {label}")
    return validate(replace(sched, context_label=int(label)))


def params_for(name: str, steps: int | None = None, context_label: int | None = None) -> dict:
    """Preset parameters for a user's "denoising steps" (None: the preset's defaults, with
    2 steps for `frame`, the interactive default) and context label (None: left open for
    the checkpoint's recommendation). An unknown name is left to `preset`."""
    label = {} if context_label is None else {"context_label": context_label}
    if steps is None:
        return {"steps": 2, **label} if name == "frame" else label
    key = STEP_PARAM.get(name)
    return {key: steps, **label} if key else label
