"""A minute of free play: 1,200 ticks of the exploring policy (walking, turning, hopping,
looking around, breaking and placing) from each seed. By then the dream has parted from
the world, so the measures ask what must still hold, per 10-second window:

- sharpness: the dream's mean gradient energy over the world's at the same ticks (1 is as
  sharp as the world; a smear tends to 0);
- smeared frames: the share of the dream's frames below SMEAR of the world's gradient
  energy at the same tick;
- change: how much the picture changes over CHANGE_LAG ticks, the dream's mean absolute
  change over the world's (a frozen dream scores 0, one that moves as the world does ~1);
- PSNR against the world, for reference (it rewards blur).
"""
from __future__ import annotations

import numpy as np

from playground.eval.metrics import gradient_energy, psnr
from playground.policies import script

TICKS = 1200
WINDOW = 200          # 10 s at 20 ticks/s
SMEAR = 0.25
CHANGE_LAG = 10


def actions(seeds, ticks: int = TICKS) -> np.ndarray:
    """(B, ticks, 25) of the exploring policy, one stream per seed."""
    return np.stack([np.stack(script("explore", np.random.default_rng([int(s), 23]), ticks)) for s in seeds])


def series(frames: np.ndarray, truth: np.ndarray, window: int = WINDOW) -> dict:
    """Per window of ticks 1.. of frames (B, T+1, H, W, 3) against the world's truth."""
    ge_d, ge_w = gradient_energy(frames[:, 1:]), gradient_energy(truth[:, 1:])             # (B, T)
    lag = CHANGE_LAG
    p = psnr(frames[:, 1:], truth[:, 1:])
    T = ge_d.shape[1]
    out = {"window_ticks": window, "sharpness": [], "smeared": [], "change": [], "psnr": [], "end_tick": []}
    for lo in range(0, T - window + 1, window):
        s = slice(lo, lo + window)
        c = slice(max(0, lo + 1 - lag), lo + window + 1 - lag)   # changes ending in the window
        out["sharpness"].append(float(ge_d[:, s].sum() / max(ge_w[:, s].sum(), 1e-9)))
        out["smeared"].append(float((ge_d[:, s] < SMEAR * ge_w[:, s]).mean()))
        out["change"].append(_change(frames, truth, c, lag))
        out["psnr"].append(float(p[:, s].mean()))
        out["end_tick"].append(lo + window)
    return out


def _change(frames, truth, window: slice, lag: int) -> float:
    """The dream's mean absolute change over `lag` ticks over the world's, for changes
    whose later frame falls in `window` (indices into frames[:, lag:])."""
    d = np.abs(frames[:, lag:][:, window].astype(np.float32) - frames[:, :-lag][:, window]).mean()
    w = np.abs(truth[:, lag:][:, window].astype(np.float32) - truth[:, :-lag][:, window]).mean()
    return float(d / max(w, 1e-9))


def summary(s: dict) -> dict:
    """The last window's figures and the whole minute's means."""
    return {k: {"last": s[k][-1], "mean": float(np.mean(s[k]))} for k in ("sharpness", "smeared", "change", "psnr")}
