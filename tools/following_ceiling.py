"""How well can any dream follow turns? A ceiling for the turn scripts of action following.

Turning in place is a pure rotation of the camera, which has no parallax: every pixel of a
turned view that the start frame already showed is that start pixel, whatever the depth.
`ReprojectionDream` is the dream that knows this perfectly. It re-projects the start frame
exactly and fills what the start frame never showed, which no model can know, without
imagination:

- `rowmean`: each row's mean colour in the start frame (sky, horizon, ground);
- `edge`: the nearest pixel the start frame does show on the same row, smeared outwards.

It runs through the eval's own `action_following` (same seeds, scripts, 16 steps, MSE), so
its `turn_left` and `turn_right` rates are directly comparable with the report's "by the
dream's script" rates: a model whose turns match them does as well as exact geometry with a
plain guess for the unseen ground. (Its other scripts mean nothing: it cannot walk, and it
holds still exactly.)

    python tools/following_ceiling.py OUT.json [--seeds 16] [--offset 100] [--fill edge]

Default seeds are the 16 follow seeds of `playground eval` (offset 100); offset 300 gives
those of tools/follow_more.py."""
import argparse
import json

import numpy as np

from playground import actions as A
from playground.eval.report import FULL
from playground.eval.rollouts import action_following, eval_seeds
from playground.voxel import VoxelWorld
from playground.voxel.raycast import _camera_rays, view_rotation

FILLS = ("rowmean", "edge")


def reproject(start: np.ndarray, start_pose, pose, fov_degrees: float):
    """The view `start` (H, W, 3), seen from camera pose (yaw, pitch) `start_pose`, turned to
    `pose` without moving: returns (frame, seen) with seen (H, W) True where the start frame
    shows the pixel (nearest start pixel), frame zero elsewhere."""
    H, W = start.shape[:2]
    f = 1.0 / np.tan(np.radians(fov_degrees) / 2)
    rays = _camera_rays(W, H, fov_degrees) @ view_rotation(*pose).T    # world directions (N, 3)
    c = rays @ view_rotation(*start_pose)                              # start-camera coordinates
    z = c[:, 2]
    ahead = z > 1e-6
    safe = np.where(ahead, z, 1.0)
    # Inverse of _camera_rays' pixel grid: x = (2 (u + 0.5) / W - 1) W / H, y = 1 - 2 (v + 0.5) / H.
    u = np.rint((f * c[:, 0] / safe * H / W + 1) * W / 2 - 0.5)
    v = np.rint((1 - f * c[:, 1] / safe) * H / 2 - 0.5)
    seen = ahead & (u >= 0) & (u <= W - 1) & (v >= 0) & (v <= H - 1)
    frame = np.zeros((H * W, 3), start.dtype)
    frame[seen] = start[v[seen].astype(int), u[seen].astype(int)]
    return frame.reshape(H, W, 3), seen.reshape(H, W)


def fill_unseen(frame: np.ndarray, seen: np.ndarray, start: np.ndarray, how: str) -> np.ndarray:
    """`frame` with its unseen pixels filled (see the module docstring for `how`)."""
    out = frame.copy()
    if how == "rowmean":
        rows = np.broadcast_to(start.mean(1, keepdims=True).round().astype(start.dtype), start.shape)
        out[~seen] = rows[~seen]
        return out
    for r in range(frame.shape[0]):
        cols = np.flatnonzero(seen[r])
        if len(cols) == 0:
            out[r] = start[r].mean(0).round().astype(start.dtype)   # a row turned fully out of view
            continue
        out[r, :cols[0]] = out[r, cols[0]]
        out[r, cols[-1] + 1:] = out[r, cols[-1]]
    return out


class ReprojectionDream:
    """A World (reset(seed) -> frame, step(action) -> frame) that only turns: the start
    frame of the voxel world re-projected to the turned camera, the unseen part filled.
    Movement keys are ignored: it stands where it started."""

    name = "reprojection"

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
        a = A.validate(action)
        yaw, pitch = self.pose   # as playground/voxel/physics.py turns the player
        self.pose = ((yaw + float(a[A.YAW]) * A.MAX_TURN_DEGREES) % 360.0,
                     float(np.clip(pitch + float(a[A.PITCH]) * A.MAX_TURN_DEGREES, -89.0, 89.0)))
        frame, seen = reproject(self.start, self.start_pose, self.pose, self.truth.config.camera.fov_degrees)
        return fill_unseen(frame, seen, self.start, self.fill)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="JSON: the ceiling's turn rates per fill, and the full action_following results")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--offset", type=int, default=100)
    ap.add_argument("--fill", choices=FILLS + ("both",), default="both")
    a = ap.parse_args()
    seeds = eval_seeds(a.seeds, a.offset)
    results = {}
    for fill in FILLS if a.fill == "both" else (a.fill,):
        r = action_following(ReprojectionDream(fill), seeds, steps=FULL["follow_steps"])
        turns = {k: r["by_script"][k] for k in ("turn_left", "turn_right")}
        results[fill] = {"turns": turns, "turn_rate": float(np.mean(list(turns.values()))), "following": r}
        print(f"fill {fill}: turn_left {turns['turn_left']:.1%}, turn_right {turns['turn_right']:.1%} "
              f"(by pair {r['by_pair']})")
    with open(a.out, "w") as f:
        json.dump({"seeds": a.seeds, "offset": a.offset, "results": results}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
