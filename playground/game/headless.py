"""Headless play: step a World with scripted or random actions, no window, no pygame."""
from __future__ import annotations

import hashlib
import time
from typing import Callable, Iterable

import numpy as np

from playground.policies import stream
from playground.world import World


def run_headless(world: World, ticks: int, seed: int | None = 0, policy: str = "explore",
                 actions: Iterable[np.ndarray] | None = None,
                 on_tick: Callable[[int, np.ndarray, np.ndarray], None] | None = None) -> dict:
    """Reset with `seed`, then `ticks` steps; `on_tick(t, action, frame)` sees every tick
    (t = 0 is the reset frame with the zero action). Returns a summary dict."""
    from playground import actions as A

    t0 = time.perf_counter()
    frame = world.reset(seed)
    if on_tick:
        on_tick(0, A.zero(), frame)
    if actions is None:
        actions = stream(policy, np.random.default_rng(0 if seed is None else seed), ticks)
    digest = hashlib.sha256(frame.tobytes())
    t1 = time.perf_counter()
    n = 0
    for n, a in enumerate(actions, start=1):
        if n > ticks:
            n -= 1
            break
        frame = world.step(a)
        digest.update(frame.tobytes())
        if on_tick:
            on_tick(n, a, frame)
    elapsed = time.perf_counter() - t1
    return {"ticks": n, "seed": seed, "policy": policy, "reset_s": round(t1 - t0, 4),
            "seconds": round(elapsed, 3), "ticks_per_s": round(n / max(elapsed, 1e-9), 1),
            "frames_sha256": digest.hexdigest(), "info": world.info()}
