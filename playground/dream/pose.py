"""Where the dream's camera is: its pose tracked from the actions alone.

The dream starts from a prompt image, so it cannot ask the voxel world where the player
is. It moves its own player by the world's movement rules (`rules.physics`: walking and
sprinting speed, momentum, gravity, jumps, sneaking) from the start pose, yaw 0 at the
origin in the start camera's frame. What the player collides with is `Ground`: the level
the player stood on at the start, extended everywhere, plus any blocks a caller marks
solid (the dream's own geometry, as its memory learns it). Rotation is exact (the camera
action); translation is exact on level ground and drifts where the world has steps and
walls the ground does not know of: `pose_error` measures by how much. Given the frames
around a step, `step_seen` checks the rules' step against them (visual_odometry.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.camera import CameraModel, camera_rays, view_rotation
from playground.dream.visual_odometry import checked_step
from playground.rules import blocks as B
from playground.rules import physics


class Ground:
    """Blocks for `physics.step`, from what the dream has shown. A cell `mark` placed is
    solid, and so is all below the lowest seen cell of its column (terrain is solid under
    its surface). A column never seen is solid below `level`: the ground the player last
    stood on, extended. Breaking and placing edit it as they edit the world."""

    def __init__(self):
        self.blocks: dict[tuple[int, int, int], int] = {}
        self.lowest: dict[tuple[int, int], int] = {}    # column -> lowest seen solid y
        self.level = 0
        self.edits: list[tuple[int, int, int]] = []     # cells set by the rules (broken, placed), for the memory

    def get(self, x: int, y: int, z: int) -> int:
        block = self.blocks.get((x, y, z))
        if block is not None:
            return block
        low = self.lowest.get((x, z))
        return B.STONE if y < (self.level if low is None else low) else B.AIR

    def set(self, x: int, y: int, z: int, block: int) -> None:
        self.blocks[(x, y, z)] = block
        self.edits.append((x, y, z))

    def keep_near(self, x: float, z: float, radius: float) -> None:
        """Forget what lies further than `radius` blocks (horizontally) from (x, z): the
        ground stays bounded however far the player walks (the memory keeps the picture)."""
        near = lambda cx, cz: max(abs(cx + 0.5 - x), abs(cz + 0.5 - z)) <= radius   # noqa: E731
        self.blocks = {c: b for c, b in self.blocks.items() if near(c[0], c[2])}
        self.lowest = {c: y for c, y in self.lowest.items() if near(*c)}

    def mark(self, cells: np.ndarray, tops: np.ndarray | None = None, block: int = B.STONE) -> None:
        """Cells (N, 3) int become `block` (solid surfaces the dream has shown). Where `tops`
        (N,) bool says a cell was seen from above (its top face: the ground), the column
        is solid below it too; a side or a bottom face (a tree's leaves) says nothing of
        what is under it."""
        for x, y, z in np.unique(cells, axis=0).tolist():
            self.blocks[(x, y, z)] = block
        for x, y, z in np.unique(cells[tops] if tops is not None else cells, axis=0).tolist():
            low = self.lowest.get((x, z))
            self.lowest[(x, z)] = y if low is None else min(low, y)


def surface_cells(eye: np.ndarray, yaw: float, pitch: float, depth: np.ndarray, camera: CameraModel,
                  max_distance: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """The blocks (N, 3) int a view shows within `max_distance`, each pixel's point seen at
    distance `depth` (H, W) along its ray (inf: sky) nudged a little into its surface, and
    whether each was seen from above (N,) bool: the empty cell just before it is on top of it."""
    H, W = depth.shape
    rays = camera_rays(W, H, camera.fov_degrees) @ view_rotation(yaw, pitch).T   # (H*W, 3)
    t = depth.reshape(-1)
    near = t < max_distance
    solid = np.floor(eye + rays[near] * (t[near, None] + 0.02)).astype(np.int64)
    before = np.floor(eye + rays[near] * (t[near, None] - 0.02)).astype(np.int64)
    return solid, (before - solid == np.array([0, 1, 0])).all(1)


@dataclass
class Pose:
    eye: np.ndarray      # (3,) world coordinates of the camera, start frame
    yaw: float           # degrees
    pitch: float         # degrees


class PoseTracker:
    """One tracked player per batch row."""

    def __init__(self, rows: int, camera: CameraModel = CameraModel()):
        self.camera = camera
        self.grounds = [Ground() for _ in range(rows)]
        self.players = [self._start(0.0) for _ in range(rows)]

    @staticmethod
    def _start(pitch: float, yaw: float = 0.0) -> physics.Player:
        return physics.Player(pos=np.zeros(3), yaw=yaw, pitch=pitch, on_ground=True)

    def reset_rows(self, rows, pitch: np.ndarray, yaw: np.ndarray | None = None) -> None:
        """Rows (n,) start over at the origin, level ground, with their pitch (n,) and yaw
        (n,): the start view's angle to the block grid, where known (0: the grid is taken
        to face the start view)."""
        yaw = np.zeros(len(rows)) if yaw is None else np.asarray(yaw, np.float64)
        for r, p, y in zip(np.asarray(rows).tolist(), np.asarray(pitch, np.float64).tolist(), yaw.tolist()):
            self.grounds[r], self.players[r] = Ground(), self._start(p, y)

    def step(self, actions: np.ndarray) -> None:
        """Move every row's player by its action (B, 25)."""
        assert len(actions) == len(self.players), "one action per tracked row"
        for row, (ground, player, action) in enumerate(zip(self.grounds, self.players, actions)):
            physics.step(ground, player, action)
            self._stood(row)

    def step_seen(self, row: int, action: np.ndarray, before: np.ndarray, depth: np.ndarray,
                  after: np.ndarray) -> None:
        """Move row `row`'s player by `action` (25,) as the frames show: the rules' step, the
        same step stopped along x, z, both or altogether, or falling off a ledge, where the
        view going from `before` (H, W, 3, seen with `depth` (H, W) at the pose now) to
        `after` says so (visual_odometry.py)."""
        self.players[row], drop = checked_step(self.grounds[row], self.players[row], action, before, depth, after,
                                               self.camera)
        self.grounds[row].level -= drop
        self._stood(row)

    def _stood(self, row: int) -> None:
        """A player on the ground raises or lowers its row's unknown ground to its feet."""
        player = self.players[row]
        if player.on_ground:
            self.grounds[row].level = int(np.floor(player.pos[1] + 1e-3))

    def see(self, row: int, depth: np.ndarray) -> None:
        """Row `row`'s ground learns the tops of the blocks its current view shows (depth
        (H, W)). Side faces are left out: on tuning seeds (1,000,000 + i, 64 ticks of
        exploring) marking them as well left the tracker further from the world, with the
        world's exact depth (median 1.09 blocks against 0.14) and with the depth network's
        (3.06 against 1.87): a side seen at a slant, or a depth a little short, marks a
        cell in front of the wall, where the player then stops."""
        p = self.pose(row)
        cells, tops = surface_cells(p.eye, p.yaw, p.pitch, depth, self.camera)
        self.grounds[row].mark(cells[tops])

    def pose(self, row: int) -> Pose:
        p = self.players[row]
        return Pose(p.eye().copy(), p.yaw, p.pitch)


def pose_error(world_positions: np.ndarray, world_yaw0: float, tracked: np.ndarray,
               tracked_yaw0: float = 0.0) -> np.ndarray:
    """Distance (T,) between the world's feet positions (T, 3), moved into the tracker's
    frame (origin at the first position, the start yaw `tracked_yaw0`), and the tracker's (T, 3)."""
    yw = np.radians(world_yaw0 - tracked_yaw0)
    c, s = np.cos(yw), np.sin(yw)
    d = world_positions - world_positions[0]
    # The world's yaw turns forward (0, 0, 1) to (-sin, 0, cos): undo it about the vertical.
    local = np.stack([c * d[:, 0] + s * d[:, 2], d[:, 1], -s * d[:, 0] + c * d[:, 2]], 1)
    return np.linalg.norm(local - tracked, axis=1)
