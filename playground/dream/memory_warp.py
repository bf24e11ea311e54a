"""Every tick starts from what the dream has shown: the world memory as a sampler hook.

The frame sampler draws each new frame from pure noise in k calls, so a small model redraws
the whole picture every tick, blurred, and the blur compounds. With this hook the last call
instead starts from the world memory's picture of the new pose (world_memory.py),
completed by the model's own guess (its x0 prediction from the call before) where the
memory has nothing, noised to `level`: the geometry says where the things already shown
are, the model imagines what is new and repairs the seams. This is warped-noise camera
control (Chang et al. 2024, "How I Warped Your Noise"; Burgert et al. 2025,
"Go-with-the-Flow") with the memory's render as the flow, as Matrix-Game 3.5 and GEN3C
condition on re-projected memory. The same mechanism serves every motion: a turn (no
parallax), walking and jumping (the lifted points move with parallax), standing still, and
coming back to a place shown long ago (its points are still there).

Its parts, all the dream's own (it never asks the voxel world):
- depth: the shipped depth network on each frame shown (model/depth.py);
- pose: the movement rules from the actions against the ground the depth reveals
  (pose.PoseTracker), which also tells which blocks breaking and placing edit;
- memory: the bounded point cloud of world_memory.WorldMemory.
A row whose picture covers less than MIN_COVER of the view is drawn as usual.

A network trained to take the picture (DiTConfig.render_input) also gets it as an input,
every row, every call: its latent and the share of each latent cell it covers
(`frame_inputs`). Its render input starts at zero, so such a network grown from a plain one
draws exactly what the plain one draws with the memory, and training can only add to it.
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from playground.camera import CameraModel, fill_unseen
from playground.dream.hooks import SamplerHook
from playground.dream.pose import PoseTracker
from playground.dream.world_memory import MAX_DISTANCE, Drawn, WorldMemory
from playground.model.depth import DepthNet, predict
from playground.model.diffusion import x0_from_v
from playground.rules import physics

# The level the last call starts from: the memory's picture is not exact (splats, the
# tracked pose), so the network redraws part of it. Chosen on tuning seeds no report uses
# (tools/world_memory_levels.py, docs/experiments.md).
MEMORY_LEVEL = 500
# How the tracker moves the camera (SamplerSettings.memory_pose): the actions on level
# ground; also against the tops of the blocks the depth of each shown frame reveals; also
# kept out of the memory's own points; or kept out of them only where the network agrees.
# "frames": each step checked afterwards against the frame shown (visual_odometry.py).
MEMORY_POSES = ("actions", "depth", "memory", "network", "frames")
# memory_pose "memory": a step is undone (horizontally) when it moves the player's body, from
# BODY_CLEARANCE above the feet to the head, into at least BODY_POINTS more of the memory's
# points than it held before: the player does not walk into what the dream has shown.
# memory_pose "network": such a step is a doubt, not a wall. The memory is pictured from
# both poses, the step taken and the step undone, and the network decides: its guess of the
# new frame before the last call (which knows from the world's frames what stops a player and
# what a player climbs) picks the picture it is nearer to, and the tracker follows.
BODY_CLEARANCE = 0.3
BODY_POINTS = 10
# SamplerSettings.memory_sure_share: the share of the view a picture must show as it was
# seen (Drawn.sure) for memory_sure_level.
SURE_SHARE = 0.95
MIN_COVER = 0.5        # share of the view the memory must cover for its picture to be used
GROUND_RADIUS = 24.0   # blocks of the tracker's ground kept around the player
GROUND_EVERY = 64      # ticks between trims of the tracker's ground


@lru_cache(maxsize=1)
def shipped_depth() -> DepthNet:
    from playground.dream.load import load_depth
    return load_depth()[0]


def cell_share(covered: np.ndarray, picture: torch.Tensor) -> torch.Tensor:
    """(n, 1, h, w): the share of each latent cell of `picture` (n, C, h, w) whose pixels
    `covered` (n, H, W) bool says the memory drew."""
    share = torch.as_tensor(covered, dtype=picture.dtype, device=picture.device)[:, None]
    return F.adaptive_avg_pool2d(share, picture.shape[-2:])


def render_input(picture: torch.Tensor, covered: np.ndarray) -> torch.Tensor:
    """A render-input network's input (n, C + 1, h, w): the picture's latent (n, C, h, w)
    and the share of each latent cell its pixels cover (n, H, W) bool."""
    return torch.cat([picture, cell_share(covered, picture)], 1)


def composite(picture: torch.Tensor, covered: np.ndarray, guess: torch.Tensor) -> torch.Tensor:
    """Latents (n, C, h, w): the memory's `picture` where it covers the latent cell, the
    model's `guess` where it does not, blended by the share of the cell's pixels covered (n, H, W)."""
    share = cell_share(covered, picture)
    return share * picture + (1 - share) * guess


class MemoryWarp(SamplerHook):
    """The last call of every tick starts from the memory's picture, on every row the
    picture covers enough, whatever the motion."""

    def __init__(self, level: int, camera: CameraModel, depth: DepthNet | None = None, pose: str = "actions",
                 sure: tuple[int | None, float] = (None, SURE_SHARE), seen_here: float | None = None,
                 max_distance: float = MAX_DISTANCE):
        assert pose in MEMORY_POSES, pose
        self.level, self.camera, self.pose = level, camera, pose
        self.sure_level, self.sure_share = sure
        self.seen_here, self.max_distance = seen_here, max_distance    # WorldMemory's
        self.depth = (depth or shipped_depth()).to(memory_format=torch.channels_last)   # see depth.predict
        self.pictured = self.guess = None
        self.slot_render = self.pending_render = None    # render-input networks: (B, 1, C + 1, h, w)
        self.timings = {}

    @staticmethod
    def applies(schedule) -> bool:
        """Only schedules with one noisy slot, one frame a tick and at least two calls have
        a guess to compose the picture with (frame-k, k >= 2)."""
        return schedule.window - schedule.context == 1 and schedule.shift == 1 and schedule.calls >= 2

    def reset(self, session, frames, pitch):
        B = len(frames)
        self.tracker = PoseTracker(B, self.camera)
        self.tracker.reset_rows(np.arange(B), pitch)
        self.memory = WorldMemory(B, self.camera, seen_here=self.seen_here, max_distance=self.max_distance)
        self.tick = 0
        self.alternatives = {}
        self.doubts_judged = self.doubts_undone = 0     # memory_pose "network": steps doubted and undone
        self.shown = frames.copy()
        self.depths = np.zeros(frames.shape[:3], np.float32)    # memory_pose "frames": of the frames shown
        self.stepped_from = None
        self.drawn = self.slot_render = self.pending_render = None
        self._learn(session, np.arange(B), frames)

    def reset_rows(self, session, rows, frames, pitch):
        self.tracker.reset_rows(rows, pitch)
        self.memory.clear(rows)
        self.shown[rows] = frames
        if self.pending_render is not None:    # their pending frame is now context from the world: no picture
            self.pending_render[torch.as_tensor(rows, device=self.pending_render.device)] = 0
        self._learn(session, rows, frames)

    def _learn(self, session, rows: np.ndarray, frames: np.ndarray, drawn: Drawn | None = None) -> None:
        """Rows `rows` (n,) showed frames (n, H, W, 3): their depth lifts into the memory, at
        the rows' poses now, what the memory's render `drawn` (n, H, W) lacks (and,
        with the pose from depth, tells the tracker the ground it shows)."""
        depth = predict(self.depth, frames, bf16=bool(session.opt.bf16))
        if self.pose == "frames":
            self.depths[rows] = depth
        for k, (r, frame, d) in enumerate(zip(np.asarray(rows).tolist(), frames, depth)):
            p = self.tracker.pose(r)
            self.memory.add(r, frame, d, p.eye, p.yaw, p.pitch, self.tick, None if drawn is None else drawn.row(k))
            if self.pose == "depth":
                self.tracker.see(r, d)

    def _body_points(self, row: int, pos: np.ndarray) -> int:
        """The memory's points inside row `row`'s body standing at feet `pos` (3,)."""
        half = np.array([physics.HALF_WIDTH, 0.0, physics.HALF_WIDTH])
        return self.memory.count_in_box(row, pos - half + [0.0, BODY_CLEARANCE, 0.0],
                                        pos + half + [0.0, physics.PLAYER_HEIGHT, 0.0])

    def _check_steps(self, before: list) -> dict:
        """Each row's step from feet positions `before` ((3,) each) that walked the body into
        what the memory shows: undone horizontally ("memory"), or kept as a doubt that the
        network settles ("network"). Returns the doubts: row -> feet position if undone."""
        doubts = {}
        for r, (player, pos) in enumerate(zip(self.tracker.players, before)):
            if self._body_points(r, player.pos) < self._body_points(r, pos) + BODY_POINTS:
                continue
            stay = player.pos.copy()
            stay[[0, 2]] = pos[[0, 2]]
            if self.pose == "network":
                doubts[r] = stay
            else:
                self._undo_step(r, stay)
        return doubts

    def _undo_step(self, row: int, stay: np.ndarray) -> None:
        player = self.tracker.players[row]
        player.pos[[0, 2]], player.vel[[0, 2]] = stay[[0, 2]], 0.0

    def begin_tick(self, session, actions):
        """Move the tracked poses by the actions, apply their edits to the memory, and
        render it for the rows' new poses (and, for doubted steps, the poses without them):
        (host rows, device rows, latents, covered) of the rows it covers enough, or None."""
        t0 = time.perf_counter()
        self.pictured = self.guess = None
        self.alternatives = {}
        before = [p.pos.copy() for p in self.tracker.players] if self.pose in ("memory", "network") else None
        if self.pose == "frames":
            self.stepped_from = [p.copy() for p in self.tracker.players]
        self.tracker.step(actions)
        doubts = self._check_steps(before) if before is not None else {}
        for r, ground in enumerate(self.tracker.grounds):
            for cell in ground.edits:
                self.memory.forget(r, cell)
            ground.edits.clear()
        self._picture(session, doubts)
        self.timings = {"memory_ms": (time.perf_counter() - t0) * 1000}

    def _picture(self, session, doubts: dict) -> None:
        """Render and encode the memory at every row's pose, then at the `doubts` rows'
        poses without their steps (row -> feet then; self.alternatives: row -> (latent,
        covered, Drawn, feet))."""
        B = len(self.shown)
        poses = [self.tracker.pose(r) for r in range(B)]
        doubted = list(doubts)
        eyes = [p.eye for p in poses] + [poses[r].eye + doubts[r] - self.tracker.players[r].pos for r in doubted]
        views, covered, drawn = self.memory.render_rows(list(range(B)) + doubted, eyes,
                                                 [p.yaw for p in poses] + [poses[r].yaw for r in doubted],
                                                 [p.pitch for p in poses] + [poses[r].pitch for r in doubted],
                                                 self.shown.shape[1:3], self.tick + 1)
        self.drawn = drawn.row(slice(0, B))
        self.sure = drawn.sure[:B].mean((1, 2)) >= self.sure_share      # (B,) rows shown as they were seen
        as_input = session.dit.cfg.render_input
        enough = covered.mean((1, 2)) >= MIN_COVER
        rows = np.arange(B) if as_input else np.flatnonzero(enough[:B])
        alternates = [B + k for k, r in enumerate(doubted) if enough[r] and enough[B + k]]
        if not len(rows):
            return
        # what the memory does not cover edge-filled, so the encoder meets no hard border
        shown = [self.shown[r] for r in rows] + [self.shown[doubted[k - B]] for k in alternates]
        filled = np.stack([fill_unseen(views[k], covered[k], frame, "edge")
                           for k, frame in zip(list(rows) + alternates, shown)])
        z_all = session.encode_frames(filled)
        z, z_alt = z_all[:len(rows)], z_all[len(rows):]
        if as_input:
            self.slot_render = render_input(z, covered[rows])[:, None]
        for j, k in enumerate(alternates):
            r = doubted[k - B]
            self.alternatives[r] = z_alt[j], covered[k], drawn.row(k), doubts[r]
        start = np.flatnonzero(enough[rows])
        if len(start):
            self.pictured = rows[start], torch.as_tensor(rows[start], device=session.device), z[start], \
                covered[rows[start]]

    def frame_inputs(self, session, n_pending):
        """Render-input networks: the pictures of the frame finished last tick and of the new one."""
        if self.slot_render is None:
            return {}
        pending = self.pending_render if self.pending_render is not None else torch.zeros_like(self.slot_render)
        return {"render": torch.cat([pending[:, :n_pending], self.slot_render], 1)}

    def after_call(self, session, r, x, v, levels):
        if self.pictured is not None and r == session.schedule.calls - 2:   # the guess the last call needs
            self.guess = x0_from_v(session.abar, x, levels, v)[:, -1]
            self._settle_doubts()

    def _settle_doubts(self) -> None:
        """Each doubted step whose picture without it is nearer the network's guess (over
        the latent cells both pictures cover) is undone, and that picture is the one used."""
        host_rows, _, z, covered = self.pictured
        where = {r: k for k, r in enumerate(host_rows.tolist())}
        for r, (z_stay, covered_stay, drawn_stay, stay) in self.alternatives.items():
            k = where.get(r)
            if k is None:
                continue
            both = cell_share(covered[k:k + 1] & covered_stay[None], z_stay[None])[0]   # (1, h, w)
            guess = self.guess[r].to(z.dtype)
            self.doubts_judged += 1
            if (both * (guess - z_stay) ** 2).sum() < (both * (guess - z[k]) ** 2).sum():
                self._undo_step(r, stay)
                z[k], covered[k] = z_stay, covered_stay
                self.drawn.put(r, drawn_stay)
                self.sure[r] = drawn_stay.sure.mean() >= self.sure_share
                if self.slot_render is not None:
                    self.slot_render[r, 0] = render_input(z_stay[None], covered_stay[None])[0]
                self.doubts_undone += 1

    def before_call(self, session, r, levels):
        """Before the last call: the pictured rows' newest slot becomes the memory's picture
        completed by the guess, noised to `level` (at most the slot's level now)."""
        if self.pictured is None or r != session.schedule.calls - 1:
            return levels
        host_rows, rows, z, covered = self.pictured
        level = np.full(len(host_rows), min(int(self.level), int(levels[0, -1])))
        if self.sure_level is not None:
            level[self.sure[host_rows]] = min(int(self.sure_level), int(levels[0, -1]))
        x0 = composite(z, covered, self.guess[rows])
        ab = session.abar[torch.as_tensor(level, device=session.device)].view(-1, *[1] * (x0.dim() - 1))
        noisy = session.s.noisy
        noisy[rows, -1] = ab.sqrt() * x0 + (1 - ab).sqrt() * session.noise(x0.shape)
        out = np.repeat(levels, noisy.shape[0], 0)
        out[host_rows, -1] = level
        return out

    def end_tick(self, session, actions, frames):
        t0 = time.perf_counter()
        self.tick += 1
        self.pending_render = self.slot_render      # its frame is fed once more next tick, as context
        if self.stepped_from is not None:
            self._check_with_frames(actions, frames)
        self.shown = frames.copy()     # the caller may draw on what it is given
        self._learn(session, np.arange(len(frames)), frames, self.drawn)
        if self.tick % GROUND_EVERY == 0:
            for ground, player in zip(self.tracker.grounds, self.tracker.players):
                ground.keep_near(player.pos[0], player.pos[2], GROUND_RADIUS)
        self.timings["memory_ms"] = self.timings.get("memory_ms", 0.0) + (time.perf_counter() - t0) * 1000

    def _check_with_frames(self, actions: np.ndarray, frames: np.ndarray) -> None:
        """memory_pose "frames": each row's step of this tick taken again from where it
        started, as the frames shown before and now say (PoseTracker.step_seen), before the
        new frame is lifted at the pose."""
        for r, player in enumerate(self.stepped_from):
            self.tracker.players[r] = player
            self.tracker.step_seen(r, actions[r], self.shown[r], self.depths[r], frames[r])
        self.stepped_from = None

    def state_size(self) -> dict:
        return {"memory_points": self.memory.points(), "steps_doubted": self.doubts_judged,
                "steps_undone": self.doubts_undone,
                "ground_cells": sum(len(g.blocks) for g in self.tracker.grounds)}
