"""Ceilings for following: dreams that know the geometry exactly and imagine nothing.

Turning in place is a pure rotation of the camera, which has no parallax: every pixel of a
turned view that the start frame already showed is that start pixel, whatever its depth.
`ReprojectionTurns` re-projects the start frame exactly and fills what the start frame
never showed, which no dream can know from it, without imagination:

- `rowmean`: each row's mean colour in the start frame (sky, horizon, ground);
- `edge`: the nearest pixel the start frame does show on the same row, smeared outwards.

Like the baselines, it is a World that sees only the start frame the dream starts from.
Run through `action_following`, its turn scripts' rates are what exact geometry with a
plain guess for the unseen ground achieves on the same comparisons: after about 7 ticks of
`turn_left` (5 degrees a tick, a 70-degree view) half the picture is ground no start frame
showed, and the comparison is decided there. It cannot walk (movement keys are ignored) and
holds still exactly, so only its turn rates mean anything.

`ExactGeometry` walks too: moving has parallax, so it takes the camera path and the depth of
each view from a hidden voxel world stepped with the same actions (which no dream has) and
redraws the start frame along it, filling the rest the same way. Every script's rate then
says what exact geometry without imagination achieves; what is left above it is imagining
the ground a turn or a walk uncovers.
"""
from __future__ import annotations

import numpy as np

from playground import actions as A
from playground.eval.rollouts import action_following
from playground.voxel import VoxelWorld
from playground.camera import FILLS, fill_unseen, reproject, turned
from playground.voxel.reproject import reproject_moved

TURN_SCRIPTS = ("turn_left", "turn_right")


class ReprojectionTurns:
    """A World (reset(seed) -> frame, step(action) -> frame) that only turns: the start
    frame of the voxel world re-projected to the turned camera, the unseen part filled.
    Movement keys are ignored: it stands where it started."""

    name = "exact re-projection"

    def __init__(self, fill: str = "edge"):
        if fill not in FILLS:
            raise ValueError(f"fill must be one of {', '.join(FILLS)}, got {fill!r}")
        self.fill = fill
        self.truth = VoxelWorld()
        self.start = self.start_pose = self.pose = None

    def reset(self, seed: int) -> np.ndarray:
        self.start = self.truth.reset(seed)
        player = self.truth.player
        self.start_pose = self.pose = (player.yaw, player.pitch)
        return self.start.copy()

    def step(self, action) -> np.ndarray:
        return fill_unseen(*self.advance(action), self.start, self.fill)

    def advance(self, action):
        """Turn the camera by one tick of `action`: (frame, seen) of the new pose, unfilled."""
        self.pose = turned(*self.pose, A.validate(action))
        return self.view(self.pose)

    def view(self, pose):
        """(frame, seen): the start frame re-projected to camera pose (yaw, pitch); see reproject."""
        return reproject(self.start, self.start_pose, pose, self.truth.config.camera.fov_degrees)


class ExactGeometry:
    """A World that redraws the voxel world's start frame for every action, turns and walks
    alike, with exact geometry: a hidden voxel world, stepped with the same actions, gives
    the camera's place and the depth of its view (which no dream has), and
    `reproject_moved` draws from the start frame what that view shows of it; the rest is
    filled plainly (`fill`). `blur` (pixels, a Gaussian's sigma; 0 = none) softens the
    result as a dream's uncertainty would. Run through `action_following`, every script's
    rate is what exact geometry without imagination achieves on the same comparisons."""

    name = "exact geometry"

    def __init__(self, fill: str = "edge", blur: float = 0.0):
        if fill not in FILLS:
            raise ValueError(f"fill must be one of {', '.join(FILLS)}, got {fill!r}")
        if blur < 0:
            raise ValueError(f"blur is a Gaussian's sigma in pixels, >= 0; got {blur}")
        self.fill, self.blur = fill, blur
        self.hidden = VoxelWorld()
        self.start = self.start_view = None

    def reset(self, seed: int) -> np.ndarray:
        self.start = self.hidden.reset(seed)
        self.start_view = self._view()
        return self.start.copy()

    def step(self, action) -> np.ndarray:
        self.hidden.step(action)
        depth, eye, pose = self._view()
        s_depth, s_eye, s_pose = self.start_view
        frame, seen = reproject_moved(self.start, s_depth, s_eye, s_pose, depth, eye, pose,
                                      self.hidden.config.camera.fov_degrees)
        frame = fill_unseen(frame, seen, self.start, self.fill)
        return gaussian_blur(frame, self.blur) if self.blur else frame

    def _view(self):
        p = self.hidden.player
        return self.hidden.depth(), p.eye().copy(), (p.yaw, p.pitch)


def gaussian_blur(frame: np.ndarray, sigma: float) -> np.ndarray:
    """uint8 (H, W, C) frame blurred by a separable Gaussian (edges repeated)."""
    r = int(np.ceil(3 * sigma))
    k = np.exp(-np.arange(-r, r + 1) ** 2 / (2 * sigma * sigma))
    k /= k.sum()
    x = np.pad(frame.astype(np.float64), ((r, r), (r, r), (0, 0)), mode="edge")
    x = sum(w * x[:, i:i + frame.shape[1]] for i, w in enumerate(k))
    x = sum(w * x[i:i + frame.shape[0]] for i, w in enumerate(k))
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def geometry_ceiling(seeds, steps: int, fill: str = "edge", blur: float = 0.0, progress: bool = False) -> dict:
    """`action_following` (the eval's pairs and MSE) of ExactGeometry on `seeds`: the overall
    rate and every script's."""
    return action_following(ExactGeometry(fill, blur), seeds, steps=steps, progress=progress)


def geometry_words(geometry: dict | None) -> str:
    """The geometry ceiling (a `geometry_ceiling` result) as a sentence ("" when absent)."""
    if not geometry or "by_script" not in geometry:
        return ""
    scripts = ", ".join(f"{k} {v:.0%}" for k, v in geometry["by_script"].items())
    return (f"A dream that knew the world's geometry for every action (`ExactGeometry`: the start frame redrawn "
            f"along the voxel world's own camera path with its depth, what the start frame never showed "
            f"filled the same way) follows {geometry['rate']:.1%} of them ({scripts})")


def turn_rates(following: dict) -> dict:
    """The turn scripts' rates of an action_following result, and their mean."""
    turns = {k: following["by_script"][k] for k in TURN_SCRIPTS if k in following["by_script"]}
    return {**turns, "mean": float(np.mean(list(turns.values()))) if turns else float("nan")}


def following_ceiling(seeds, steps: int, progress: bool = False) -> dict:
    """Per fill: the turn scripts' action-following rates of ReprojectionTurns on `seeds`
    (the eval's pairs and MSE), and their mean."""
    return {fill: turn_rates(action_following(ReprojectionTurns(fill), seeds, steps=steps, progress=progress))
            for fill in FILLS}


def ceiling_words(ceiling: dict) -> str:
    """The ceiling as a sentence for the report and the model card ("" when absent)."""
    if not ceiling or not set(TURN_SCRIPTS) <= set(ceiling.get("edge", {})):
        return ""
    e, m = ceiling["edge"], ceiling.get("rowmean", {})
    words = (f"A dream that turns with exact geometry (the start frame re-projected, "
             f"`playground/eval/reprojection.py`) and fills the ground no start frame showed with the nearest "
             f"seen pixel on its row wins turn_left {e['turn_left']:.0%} and turn_right {e['turn_right']:.0%} "
             "of the same comparisons")
    if m:
        words += f" ({m['turn_left']:.0%} and {m['turn_right']:.0%} filling each row's mean colour)"
    return words + (": after about 7 ticks of turning, half the view is ground the start frame never showed, "
                     "and the comparison is decided there")
