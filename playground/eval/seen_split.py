"""Where a dream's turns lose the eval's comparisons: in the part of the view the start
frame shows, or in the ground it never showed.

`SeenSplit(dream, part)` is the dream with one part of each turned frame swapped for the
exact turn of `reprojection.py`:

- part="seen": the exact re-projection of the start frame where it shows the pixel, the
  dream's own picture elsewhere (its guess of the new ground is kept);
- part="unseen": the dream's own picture where the start frame shows the pixel, the edge
  fill elsewhere (its guess of the new ground is replaced by the ceiling's plain guess).

Run through `action_following`, the turn scripts' rates say which part costs the dream its
comparisons. If exact seen pixels lift its turns to the ceiling, its guesses of new ground
are as good as the plain fill and what it lacks is turning what it was shown.

`effective_turn` measures how far the dream turns per tick: the angle of the exact turn of
the start frame that best matches each dreamed frame.

Frames are swapped only while no button has been pressed since the reset (a turn in place);
after that the dream's frames pass through, so only the turn rates mean anything.
"""
from __future__ import annotations

import numpy as np

from playground import actions as A
from playground.eval.reprojection import TURN_SCRIPTS, ReprojectionTurns, fill_unseen, turn_rates
from playground.eval.rollouts import action_following, rollout
from playground.policies import script

PARTS = ("seen", "unseen")


class RememberedDream:
    """A World that dreams each (seed, actions) prefix once: the split runs the eval three
    times over the same rollouts, and dreaming is what costs."""

    def __init__(self, dream):
        self.dream = dream
        self.frames: dict[tuple, np.ndarray] = {}
        self.dreamed_to: tuple | None = None     # the prefix the wrapped dream's state is at
        self.seed, self.actions = None, []

    def reset(self, seed: int) -> np.ndarray:
        self.seed, self.actions = seed, []
        return self._frame()

    def step(self, action) -> np.ndarray:
        self.actions.append(np.asarray(action, np.float32))
        return self._frame()

    def _frame(self) -> np.ndarray:
        key = (self.seed, *(a.tobytes() for a in self.actions))
        if key not in self.frames:
            if self.dreamed_to != key[:-1] or not self.actions:   # replay the prefix from the reset
                self.frames[key[:1]] = self.dream.reset(self.seed).copy()
                for i, a in enumerate(self.actions[:-1]):
                    self.frames[key[:i + 2]] = self.dream.step(a).copy()
            if self.actions:
                self.frames[key] = self.dream.step(self.actions[-1]).copy()
            self.dreamed_to = key
        return self.frames[key]


class SeenSplit:
    """The dream's turn with one part of each frame exact (see the module docstring)."""

    name = "seen split"

    def __init__(self, dream, part: str):
        if part not in PARTS:
            raise ValueError(f"part must be one of {', '.join(PARTS)}, got {part!r}")
        self.dream, self.part = dream, part
        self.turn = ReprojectionTurns("edge")
        self.turning = True

    def reset(self, seed: int) -> np.ndarray:
        self.turn.reset(seed)
        self.turning = True
        return self.dream.reset(seed)

    def step(self, action) -> np.ndarray:
        dreamed = self.dream.step(action)
        self.turning = self.turning and not A.pressed(action)
        if not self.turning:
            return dreamed
        exact, seen = self.turn.advance(action)
        if self.part == "seen":
            return np.where(seen[..., None], exact, dreamed)
        return fill_unseen(np.where(seen[..., None], dreamed, 0).astype(dreamed.dtype), seen, self.turn.start, "edge")


def seen_split(dream, seeds, steps: int, progress: bool = False) -> dict:
    """The turn scripts' action-following rates (the eval's pairs and MSE) of the dream as
    dreamed ("dream"), with exact seen pixels ("seen") and with the edge fill for the unseen
    ground ("unseen"); each with the mean of the two turns. Pass a RememberedDream to keep
    its rollouts for later (e.g. effective_turn)."""
    remembered = dream if isinstance(dream, RememberedDream) else RememberedDream(dream)
    worlds = {"dream": remembered, **{part: SeenSplit(remembered, part) for part in PARTS}}
    return {part: turn_rates(action_following(world, seeds, steps=steps, progress=progress))
            for part, world in worlds.items()}


def effective_turn(dream, seeds, steps: int = 8, resolution: float = 0.5, min_seen: int = 200) -> dict:
    """How far the dream turns: for turn_left and turn_right, per step k (1..steps) the angle in
    degrees of the exact turn of the start frame that best matches the dreamed frame (MSE over
    the pixels that turn shows; angles 0 .. world's + 20 in `resolution` steps, angles showing
    fewer than `min_seen` start pixels skipped), as the median over seeds; and "per_tick", the
    median over seeds, scripts and steps of angle / k, beside the world's "world_per_tick"."""
    probe = ReprojectionTurns("edge")
    angles, ratios = {}, []
    for name in TURN_SCRIPTS:
        acts = script(name, np.random.default_rng(0), steps)
        world_per_tick = abs(float(acts[0][A.YAW])) * A.MAX_TURN_DEGREES
        sign = np.sign(acts[0][A.YAW])
        per_seed = []
        for seed in seeds:
            frames = rollout(dream, seed, acts).astype(np.float64)
            probe.reset(seed)
            yaw, pitch = probe.start_pose
            row = []
            for k in range(1, steps + 1):
                best, best_err = np.nan, np.inf
                for theta in np.arange(0, world_per_tick * k + 20 + 1e-9, resolution):
                    exact, seen = probe.view(((yaw + sign * theta) % 360.0, pitch))
                    if seen.sum() < min_seen:
                        continue
                    err = ((exact[seen] - frames[k][seen]) ** 2).mean()
                    if err < best_err:
                        best, best_err = theta, err
                row.append(best)
                ratios.append(best / k)
            per_seed.append(row)
        angles[name] = [float(a) for a in np.nanmedian(np.array(per_seed, float), axis=0)]
    return {"angles": angles, "per_tick": float(np.nanmedian(ratios)), "world_per_tick": world_per_tick}
