"""Minecraft-like player physics: gravity, axis-by-axis AABB collision, jump, sneak
(which also keeps you from walking off edges), sprint, swimming, breaking and placing.

Constants per tick at 20 ticks/s, from Minecraft's player movement: gravity 0.08 with
drag 0.98, jump impulse 0.42, walk 4.317 m/s, sprint x1.3, sneak x0.3.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from playground import actions as A
from playground.camera import turned
from playground.rules import blocks as B


class Blocks(Protocol):
    """What the rules move against: the voxel world's chunks, or the ground the dream knows."""

    def get(self, x: int, y: int, z: int) -> int: ...

    def set(self, x: int, y: int, z: int, block: int) -> None: ...

HALF_WIDTH = 0.3
PLAYER_HEIGHT = 1.8
EYE_HEIGHT = 1.62
SNEAK_EYE_HEIGHT = 1.27
WALK_SPEED = 4.317 / 20   # blocks per tick
SPRINT_FACTOR, SNEAK_FACTOR = 1.3, 0.3
GRAVITY, DRAG, JUMP = 0.08, 0.98, 0.42
REACH = 4.5
ACTION_COOLDOWN = 5       # ticks between breaks/places while the button is held
_EPS = 1e-4


@dataclass
class Player:
    pos: np.ndarray                       # feet centre, world coords (3,)
    yaw: float = 0.0                      # degrees, positive = turned right
    pitch: float = 0.0                    # degrees, positive = looking down
    vel: np.ndarray = field(default_factory=lambda: np.zeros(3))
    on_ground: bool = False
    sneaking: bool = False
    slot: int = 0                         # hotbar slot 0-8
    cooldown: int = 0

    def copy(self) -> "Player":
        """An independent copy (its position and velocity arrays are not shared)."""
        return replace(self, pos=self.pos.copy(), vel=self.vel.copy())

    def eye(self) -> np.ndarray:
        return self.pos + np.array([0.0, SNEAK_EYE_HEIGHT if self.sneaking else EYE_HEIGHT, 0.0])

    def look(self) -> np.ndarray:
        yw, pt = math.radians(self.yaw), math.radians(self.pitch)
        return np.array([-math.sin(yw) * math.cos(pt), -math.sin(pt), math.cos(yw) * math.cos(pt)])


def _solid(store: Blocks, x: int, y: int, z: int) -> bool:
    return bool(B.SOLID[store.get(x, y, z)])


def _box_hits(store, lo, hi) -> bool:
    """Whether the AABB [lo, hi] overlaps any solid block."""
    for x in range(math.floor(lo[0]), math.floor(hi[0] - _EPS) + 1):
        for y in range(math.floor(lo[1]), math.floor(hi[1] - _EPS) + 1):
            for z in range(math.floor(lo[2]), math.floor(hi[2] - _EPS) + 1):
                if _solid(store, x, y, z):
                    return True
    return False


def _bounds(pos):
    lo = np.array([pos[0] - HALF_WIDTH, pos[1], pos[2] - HALF_WIDTH])
    return lo, lo + np.array([2 * HALF_WIDTH, PLAYER_HEIGHT, 2 * HALF_WIDTH])


def _move_axis(store, p: Player, axis: int, delta: float) -> bool:
    """Move along one axis in sub-steps of < 1 block; returns True if blocked."""
    n = max(1, math.ceil(abs(delta) / 0.45))
    for _ in range(n):
        trial = p.pos.copy()
        trial[axis] += delta / n
        if _box_hits(store, *_bounds(trial)):
            lo, hi = _bounds(p.pos)  # snap flush against the blocking face
            if delta > 0:
                edge = math.floor(hi[axis] + delta / n - _EPS)
                p.pos[axis] += max(0.0, edge - hi[axis] - _EPS)
            else:
                edge = math.floor(lo[axis] + delta / n) + 1
                p.pos[axis] -= max(0.0, lo[axis] - edge - _EPS)
            return True
        p.pos = trial
    return False


def _supported(store, pos) -> bool:
    lo, hi = _bounds(pos)
    lo, hi = lo.copy(), hi.copy()
    lo[1], hi[1] = pos[1] - 0.1, pos[1]
    return _box_hits(store, lo, hi)


def in_water(store: Blocks, p: Player) -> bool:
    return store.get(math.floor(p.pos[0]), math.floor(p.pos[1] + 0.4), math.floor(p.pos[2])) == B.WATER


def step(store: Blocks, p: Player, action: np.ndarray) -> None:
    """Advance the player by one tick under `action` (a validated schema vector)."""
    p.yaw, p.pitch = turned(p.yaw, p.pitch, action)
    slot = A.hotbar_slot(action)
    if slot is not None:
        p.slot = slot
    on = lambda name: action[A.INDEX[name]] > 0.5  # noqa: E731
    p.sneaking = bool(on("sneak"))

    fwd = float(on("forward")) - float(on("back"))
    strafe = float(on("right")) - float(on("left"))
    speed = WALK_SPEED * (SNEAK_FACTOR if p.sneaking else SPRINT_FACTOR if on("sprint") and fwd > 0 else 1.0)
    norm = math.hypot(fwd, strafe) or 1.0
    yw = math.radians(p.yaw)
    forward = np.array([-math.sin(yw), math.cos(yw)])   # (x, z)
    right = np.array([-math.cos(yw), -math.sin(yw)])
    target = (forward * fwd + right * strafe) * speed / norm
    swimming = in_water(store, p)
    keep = 0.5 if p.on_ground else 0.8 if swimming else 0.91
    p.vel[[0, 2]] = p.vel[[0, 2]] * keep + target * (1 - keep)
    if swimming:
        p.vel[1] = p.vel[1] * 0.8 + (0.06 if on("jump") else -0.02)
    else:
        if on("jump") and p.on_ground:
            p.vel[1] = JUMP
        p.vel[1] = (p.vel[1] - GRAVITY) * DRAG

    for axis in (1, 0, 2):
        before = p.pos.copy()
        blocked = _move_axis(store, p, axis, p.vel[axis])
        if axis != 1 and p.sneaking and p.on_ground and not _supported(store, p.pos):
            p.pos, blocked = before, True  # sneaking never walks off an edge
        if blocked:
            if axis == 1 and p.vel[1] < 0:
                p.on_ground = True
            p.vel[axis] = 0.0
    p.on_ground = _supported(store, p.pos) and p.vel[1] <= 0
    _interact(store, p, on("attack"), on("use"))


def target_block(store: Blocks, p: Player):
    """The block the crosshair is on within reach: (block xyz, the empty xyz before it) or None."""
    eye, d = p.eye(), p.look()
    prev = None
    for i in range(1, int(REACH / 0.05) + 1):
        q = eye + d * (i * 0.05)
        cell = (math.floor(q[0]), math.floor(q[1]), math.floor(q[2]))
        if cell == prev:
            continue
        if store.get(*cell) not in (B.AIR, B.WATER):
            return cell, prev
        prev = cell
    return None


def _interact(store, p: Player, attack: bool, use: bool) -> None:
    if p.cooldown > 0:
        p.cooldown -= 1
    if not (attack or use):
        p.cooldown = 0
        return
    if p.cooldown > 0:
        return
    hit = target_block(store, p)
    if hit is None:
        return
    cell, before = hit
    if attack and B.BREAKABLE[store.get(*cell)]:
        store.set(*cell, B.AIR)
        p.cooldown = ACTION_COOLDOWN
    elif use and before is not None:
        lo, hi = _bounds(p.pos)
        inside = all(lo[k] < before[k] + 1 and hi[k] > before[k] for k in range(3))
        if not inside:
            store.set(*before, B.HOTBAR[p.slot])
            p.cooldown = ACTION_COOLDOWN
