"""The streaming dream: `reset(context frames, actions)`, then `step(action) -> frame`.

One general autoregressive sampler runs any validated `Schedule`:

- clean frames live only in a key/value cache (per block temporal k/v, bounded to the
  model's window); a frame that just became clean is fed once more at level 0 (labelled
  `context_label`) so its k/v enter the cache, and is then never recomputed;
- noisy window slots are denoised by deterministic DDIM steps from row r to row r + 1
  of the table; after the last call the frames that reached level 0 are decoded and
  shown, and fresh noise enters at the top level;
- frames leaving the cache are compressed with their actions into the memory bank
  (bounded FIFO) that every window frame's spatial attention sees;
- `recondition`: noisy slots take the newest action each tick, so an action reaches
  frames already in the window (otherwise progressive schedules show it after
  `schedule.latency` ticks);
- per-tick special behaviours are hooks (hooks.py) the loop calls only when it has them:
  with `world_memory`, every tick makes its last call from the world memory's picture of
  the new pose (memory_warp.MemoryWarp).

All noise comes from a per-session torch.Generator: on the CPU a session is reproducible
from (checkpoint, seed, actions). Tensors carry a batch dimension B (vectorised envs).
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.camera import CameraModel, pitched
from playground.dream.guidance import guided_forward
from playground.dream.hooks import SamplerHook
from playground.dream.memory_warp import MemoryWarp
from playground.dream.settings import SamplerSettings
from playground.dream.schedule import TOP, Schedule
from playground.model.autoencoder import Autoencoder, frames_to_tensor, tensor_to_frames
from playground.model.diffusion import alphas_cumprod, ddim_step
from playground.model.dit import DiT


@dataclass
class _State:
    past: list | None = None                     # per block (k, v): (B*N, H, Tc, Dh)
    # Cached frames: (latent as context (B,C,h,w), action (B,25), clean latent for the memory)
    cached: deque = field(default_factory=deque)
    bank: deque = field(default_factory=deque)   # compressed frames (B, K, D), oldest first
    pending: list = field(default_factory=list)  # finished frames not yet in the cache, as cached
    noisy: torch.Tensor | None = None            # (B, S, C, h, w) window slots
    noisy_actions: torch.Tensor | None = None    # (B, S, 25)
    outbox: deque = field(default_factory=deque)  # decoded frames waiting to be shown
    next_pos: int = 0                            # absolute position of the next frame to cache
    pitch: np.ndarray | None = None              # (B,) the camera pitch in degrees, from the actions
    # The level each row's clean context is shown at (the schedule's context_label; per row
    # for training's dreamed context): (B,) on the device, and its host copy.
    context_level: torch.Tensor | None = None
    context_host: np.ndarray | None = None


class DreamSession:
    def __init__(self, dit: DiT, ae: Autoencoder, schedule: Schedule, settings: SamplerSettings | None = None,
                 seed: int = 0, device: str | torch.device = "cpu", camera: CameraModel | None = None):
        """settings: as resolved for this checkpoint (SamplerSettings.resolved; what is left
        open runs plainly: no guidance, fp32; None: no world memory either). Its schedule fields are not read:
        `schedule` is the one that runs. camera: what the checkpoint's frames were seen with
        (camera.from_checkpoint)."""
        self.dit, self.ae, self.schedule = dit, ae, schedule
        if ae is not None:                          # None: latents only (reset_latents, step_latent)
            ae.eval().to(memory_format=torch.channels_last)   # see _decode; a no-op for linear layers
        self.opt = settings or SamplerSettings(world_memory=False)
        self.device = torch.device(device)
        self.abar = alphas_cumprod(dit.cfg.schedule).float().to(self.device)
        self.gen = torch.Generator(device=self.device).manual_seed(seed)
        noisy = schedule.window - schedule.context
        self.noisy_slots = noisy
        limit = dit.cfg.max_frames - noisy - schedule.shift
        self.cache_frames = min(self.opt.cache_frames or limit, limit)
        if self.cache_frames < 1:
            raise ValueError(f"schedule {schedule.name} needs {noisy} noisy frames; the model's window "
                             f"is only {dit.cfg.max_frames} frames")
        self.timings = {"model_ms": 0.0, "decode_ms": 0.0}
        # The per-tick call has a handful of shapes (the cache fills, then stays full), so a
        # compiled graph is reused every tick once warm.
        self._forward = torch.compile(dit, mode="reduce-overhead" if self.device.type == "cuda" else "default",
                                      dynamic=False) if self.opt.compile else dit
        model_bank = dit.cfg.memory_frames
        self.bank_frames = model_bank if self.opt.memory_frames is None else min(self.opt.memory_frames, model_bank)
        self.camera = camera or CameraModel()
        self.hooks = self._hooks()
        self.s = _State()

    def _hooks(self) -> list[SamplerHook]:
        """The per-tick behaviours these options ask for and this schedule can run."""
        if self.opt.world_memory and MemoryWarp.applies(self.schedule):
            return [MemoryWarp(self.opt.memory_level, self.camera, pose=self.opt.memory_pose,
                               sure=(self.opt.memory_sure_level, self.opt.memory_sure_share),
                               seen_here=self.opt.memory_seen_here, max_distance=self.opt.memory_max_distance)]
        return []

    # ---- helpers --------------------------------------------------------------------
    def _precision(self):
        """The session's precision for its networks: bf16 autocast where `opt.bf16`."""
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bool(self.opt.bf16))

    def _model(self, x, levels, actions, memory, guide_from=None, inputs=None):
        """One DiT call on frames that start at absolute position s.next_pos (rotary
        positions are absolute so cached keys stay valid as the window slides).
        guide_from: frames x[:, guide_from:] get action guidance (guidance.guided_forward,
        SamplerSettings.action_guidance); inputs: further per-frame inputs (hooks). The k/v
        returned are those of the conditional frames."""
        positions = torch.arange(self.s.next_pos, self.s.next_pos + x.shape[1], device=self.device)
        with self._precision():
            return guided_forward(self._forward, x, levels, actions, positions, memory, self.s.past, guide_from,
                                  self.opt.action_guidance or 0.0, self.opt.guidance_on, inputs)

    def _guide_from(self, slot_levels, n_pending: int) -> int | None:
        """The first frame of this call that gets action guidance: the first noisy slot at
        or above guidance_min_level (slots grow noisier towards the newest). slot_levels
        is the schedule's host-side row, so no device value is read back per call."""
        noisy_enough = np.flatnonzero(np.asarray(slot_levels) >= (self.opt.guidance_min_level or 0))
        return n_pending + int(noisy_enough[0]) if len(noisy_enough) else None

    def _memory(self):
        if not (self.opt.use_memory and self.dit.memory is not None and self.s.bank):
            return None
        return self.dit.memory.bank(torch.stack(list(self.s.bank), 1))

    def _admit(self, frames: list, kv=None) -> None:
        """Clean frames (latent, action) join the context; their k/v (from the call that
        just saw them first) join the cache. Past `cache_frames`, the oldest leave and are
        compressed into the memory bank."""
        s = self.s
        over = max(0, len(s.cached) + len(frames) - self.cache_frames)
        if kv is not None:
            n = len(frames)
            new = [(k[:, :, :n], v[:, :, :n]) for k, v in kv]
            past = s.past or [(k[:, :, :0], v[:, :, :0]) for k, v in new]
            old = min(over, past[0][0].shape[2])      # frames leaving: the oldest cached, then new ones
            # cat makes one fresh contiguous copy: matmuls need not copy a sliced view each
            # call, and a compiled (CUDA-graph) call may reuse its output buffers.
            s.past = [(torch.cat([pk[:, :, old:], k[:, :, over - old:]], 2),
                       torch.cat([pv[:, :, old:], v[:, :, over - old:]], 2)) for (pk, pv), (k, v) in zip(past, new)]
        s.cached.extend(frames)
        for _ in range(over):
            _, act, clean = s.cached.popleft()
            if self.dit.memory is not None:   # clean, as in training (not the noised context)
                s.bank.append(self.dit.compress(clean[:, None], act[:, None])[:, 0])
                while len(s.bank) > self.bank_frames:
                    s.bank.popleft()

    def _call(self, x, levels, actions, guide_from=None, inputs=None):
        """The model on new frames x (B, T, ...) that follow the context. With the cache,
        the context is its k/v; without it (the public reference code's way), the clean
        context latents are fed again in front, labelled context_label (with zeros for the
        further per-frame inputs `inputs`, (B, T, ...) each). guide_from: the first frame
        action guidance applies to (the rest follow it)."""
        if self.opt.kv_cache or not self.s.cached:
            return self._model(x, levels, actions, self._memory(), guide_from, inputs)
        ctx_x = torch.stack([c[0] for c in self.s.cached], 1)
        ctx_a = torch.stack([c[1] for c in self.s.cached], 1)
        n = ctx_x.shape[1]
        ctx_l = self._labels(n)
        inputs = {k: torch.cat([t.new_zeros(t.shape[0], n, *t.shape[2:]), t], 1) for k, t in (inputs or {}).items()}
        self.s.next_pos -= n
        try:
            v, kv = self._model(torch.cat([ctx_x, x], 1), torch.cat([ctx_l, levels], 1),
                                torch.cat([ctx_a, actions], 1), self._memory(),
                                None if guide_from is None else guide_from + n, inputs)
        finally:
            self.s.next_pos += n
        return v[:, n:], None

    def _ddim(self, x, v, a: torch.Tensor, b: torch.Tensor):
        """Move x (B, S, C, h, w) from levels a to levels b, (B, S) or (1, S), given the v-prediction."""
        return ddim_step(self.abar, x, v, a, b)

    def _warm_start(self, last: torch.Tensor, action: torch.Tensor):
        """Noisy slots for a fresh start: the last context latent (B, C, h, w) noised to each
        slot's first-row level (pure noise at the top level), all with its action."""
        row0 = torch.as_tensor(self.schedule.levels[0, self.schedule.context:], device=self.device)
        S = self.noisy_slots
        start = last[:, None].expand(last.shape[0], S, *last.shape[1:])
        ab = self.abar[row0].view(1, S, 1, 1, 1)
        noise = self.noise(start.shape)
        x = torch.where((row0 == TOP).view(1, S, 1, 1, 1), noise, ab.sqrt() * start + (1 - ab).sqrt() * noise)
        return x, action[:, None].expand(-1, S, -1).clone()

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        """Latents (n, C, h, w) -> uint8 frames (n, H, W, 3). Channels-last and, with bf16,
        autocast: at batch 8 on the CPU the conv decoder is 2-5x faster that way."""
        z = z.contiguous(memory_format=torch.channels_last)
        with self._precision():
            return tensor_to_frames(self.ae.decode(z).float())

    def encode_frames(self, frames: np.ndarray) -> torch.Tensor:
        """Uint8 frames (n, H, W, 3) -> float latents (n, C, h, w) on the session's device,
        channels-last and in the session's precision like `_decode` (at batch 8 on the CPU the
        conv encoder is about 3x faster that way). For the hooks' per-tick pictures."""
        x = frames_to_tensor(frames).to(self.device).contiguous(memory_format=torch.channels_last)
        with self._precision():
            return self.ae.encode(x).float()

    def _stabilise(self, lat: torch.Tensor, rows=slice(None)) -> torch.Tensor:
        """Clean latents (b, ...) of the session's rows `rows` as context: noised to their
        context level, as the model saw context in training (noise augmentation, so small
        errors in its own frames are not copied forward); unchanged at level 0."""
        host = self.s.context_host[rows]
        if not host.any():
            return lat
        level = self.s.context_level[rows]
        ab = self.abar[level].view(-1, *[1] * (lat.dim() - 1))
        noised = ab.sqrt() * lat + (1 - ab).sqrt() * self.noise(lat.shape)
        return noised if host.all() else torch.where((level == 0).view_as(ab), lat, noised)

    def _labels(self, n: int, rows=slice(None)) -> torch.Tensor:
        """(b, n): the level labels of n context frames of rows `rows`."""
        return self.s.context_level[rows, None].repeat(1, n)

    def _new_state(self, B: int, pitch=None, context_levels: torch.Tensor | None = None) -> None:
        level = torch.full((B,), self.schedule.context_label, device=self.device) if context_levels is None \
            else torch.as_tensor(context_levels, device=self.device).long()
        self.s = _State(pitch=None if pitch is None else _pitches(pitch, B), context_level=level,
                        context_host=level.cpu().numpy())

    def noise(self, shape):
        """Gaussian noise from the session's generator (hooks draw theirs here too)."""
        return torch.randn(shape, generator=self.gen, device=self.device)

    # ---- public API -------------------------------------------------------------------
    @torch.no_grad()
    def reset(self, frames: np.ndarray, actions: np.ndarray, pitch=None) -> None:
        """Start from context frames uint8 (B, T0, H, W, 3) and their actions (B, T0, 25).
        The last cache_frames of them fill the cache; the noisy slots start as the last
        context frame noised to their levels (a warm start PA-VDM-style). pitch: the camera
        pitch in degrees of the last context frame, a number or (B,) (default 0, level):
        the world memory needs it."""
        frames, actions = np.asarray(frames), np.asarray(actions, np.float32)
        B, T0 = frames.shape[:2]
        lat = self.ae.encode(frames_to_tensor(frames.reshape(-1, *frames.shape[2:])).to(self.device))
        self._new_state(B, 0.0 if pitch is None else pitch)
        for hook in self.hooks:
            hook.reset(self, frames[:, -1], self.s.pitch.copy())
        self._fill(lat.view(B, T0, *lat.shape[1:]), torch.as_tensor(actions, device=self.device))

    @torch.no_grad()
    def reset_latents(self, latents: torch.Tensor, actions: torch.Tensor, context_levels=None,
                      bank: torch.Tensor | None = None, inputs: dict | None = None) -> None:
        """Start from clean context latents (B, T0, C, h, w) and their actions (B, T0, 25), on
        the session's device, with no autoencoder (training's dreamed context, then
        step_latent). context_levels (B,): the level each row's context is shown at (default
        the schedule's context_label); bank (B, m, K, D): earlier frames compressed by
        DiT.compress, which the memory starts from; inputs: the context frames' further
        per-frame model inputs, name -> (B, T0, ...) (a render-input network's pictures)."""
        self._new_state(latents.shape[0], context_levels=context_levels)
        if bank is not None:
            self.s.bank.extend(bank.unbind(1))
        self._fill(latents, actions, inputs)

    def _fill(self, lat: torch.Tensor, act: torch.Tensor, inputs: dict | None = None) -> None:
        """The last cache_frames context latents (B, T0, C, h, w) with actions (B, T0, 25)
        (and further inputs, name -> (B, T0, ...)) fill the cache; the noisy slots start as
        the last one noised to their levels."""
        keep = min(lat.shape[1], self.cache_frames)
        lat, act = lat[:, -keep:], act[:, -keep:]
        ctx = self._stabilise(lat)
        kv = None
        if self.opt.kv_cache:
            given = {k: t[:, -keep:] for k, t in inputs.items()} if inputs else None
            _, kv = self._model(ctx, self._labels(keep), act, self._memory(), inputs=given)
        self.s.next_pos = keep
        self._admit([(ctx[:, i], act[:, i], lat[:, i]) for i in range(keep)], kv)
        self.s.noisy, self.s.noisy_actions = self._warm_start(lat[:, -1], act[:, -1])

    @torch.no_grad()
    def reset_rows(self, rows, frames: np.ndarray, actions: np.ndarray, pitch=None) -> None:
        """Restart some batch rows (vectorised envs) from new context frames (n, T0, H, W, 3)
        while the others continue. Their cache is recomputed at the batch's current
        positions; needs a full cache and at least cache_frames context frames. pitch: as
        in reset, a number or (n,)."""
        host_rows = np.flatnonzero(np.asarray(rows))
        rows = torch.as_tensor(host_rows, device=self.device)
        s, L = self.s, self.cache_frames
        if not self.opt.kv_cache or s.past is None or s.past[0][0].shape[2] != L or frames.shape[1] < L or s.outbox:
            raise RuntimeError("reset_rows needs a full cache, >= cache_frames context frames and "
                               "a shift-1 schedule; reset() the whole batch instead")
        n = len(rows)
        s.pitch[host_rows] = _pitches(pitch, n)
        for hook in self.hooks:
            hook.reset_rows(self, host_rows, frames[:, -1], s.pitch[host_rows])
        lat = self.ae.encode(frames_to_tensor(frames[:, -L:].reshape(-1, *frames.shape[2:])).to(self.device))
        clean = lat.view(n, L, *lat.shape[1:])
        lat = self._stabilise(clean, host_rows)
        act = torch.as_tensor(np.asarray(actions, np.float32)[:, -L:], device=self.device)
        levels = self._labels(L, host_rows)
        positions = torch.arange(s.next_pos - L, s.next_pos, device=self.device)
        with self._precision():
            _, kv = self.dit(lat, levels, act, positions=positions)
        N = self.dit.cfg.tokens_per_frame
        token_rows = (rows[:, None] * N + torch.arange(N, device=self.device)).flatten()
        for (pk, pv), (k, v) in zip(s.past, kv):
            pk[token_rows], pv[token_rows] = k.to(pk.dtype), v.to(pv.dtype)
        for i, (cl, ca, cc) in enumerate(s.cached):
            cl[rows], ca[rows], cc[rows] = lat[:, i], act[:, i], clean[:, i]
        for pl, pa, pc in s.pending:
            pl[rows], pa[rows], pc[rows] = lat[:, -1], act[:, -1], clean[:, -1]
        if s.bank:
            fresh = self.dit.compress(clean[:, -1:], act[:, -1:])[:, 0]
            for entry in s.bank:
                entry[rows] = fresh
        s.noisy[rows], s.noisy_actions[rows] = self._warm_start(clean[:, -1], act[:, -1])

    @torch.no_grad()
    def step(self, action) -> np.ndarray:
        """One tick: the frame(s) uint8 (B, H, W, 3) shown after `action` (B, 25)."""
        if self.s.noisy is None:
            raise RuntimeError("call reset(context_frames, context_actions) before step(action)")
        host = np.asarray(action, np.float32).reshape(-1, self.dit.cfg.action_dim)
        a = torch.as_tensor(host, device=self.device)
        if not self.s.outbox:
            for hook in self.hooks:
                hook.begin_tick(self, host)
            self._show(self._ar_step(a))
        else:  # mid-chunk: the action conditions the chunk after this one
            self.s.noisy_actions[:, -self.schedule.shift:] = a[:, None]
        frame = self.s.outbox.popleft()
        self.s.pitch = pitched(self.s.pitch, host, self.camera.turn_degrees)
        for hook in self.hooks:
            hook.end_tick(self, host, frame)
            self.timings.update(hook.timings)     # after end_tick: its share of the tick counts too
        return frame

    @torch.no_grad()
    def step_latent(self, action: torch.Tensor) -> torch.Tensor:
        """One tick of a shift-1 schedule with no decoding (training's dreamed context): the
        clean latent (B, C, h, w) made after `action` (B, 25), a tensor on the session's
        device. Only the hooks' per-call points run (frame_inputs, before_call, after_call):
        the per-tick ones need frames, which this has not."""
        assert self.schedule.shift == 1 and self.s.noisy is not None
        return self._ar_step(action)[:, 0]

    def _ar_step(self, a) -> torch.Tensor:
        """One autoregressive step of the schedule: its calls, each a DDIM step of the noisy
        slots (hooks may act before and after each call); returns the latents that reached
        level 0, (B, shift, C, h, w), which join the context in the next call."""
        sch, s = self.schedule, self.s
        c0 = sch.context
        s.noisy_actions[:, -sch.shift:] = a[:, None]
        if self.opt.recondition:
            s.noisy_actions[:] = a[:, None]
        t0 = time.perf_counter()
        for r in range(sch.calls):
            now, after = sch.levels[r:r + 1, c0:], sch.levels[r + 1:r + 2, c0:]   # (1, S)
            for hook in self.hooks:
                now = hook.before_call(self, r, now)
            lv_now = torch.as_tensor(now, device=self.device)
            lv_next = torch.as_tensor(after, device=self.device)
            x, acts, n_pending = s.noisy, s.noisy_actions, len(s.pending)
            B = x.shape[0]
            levels = lv_now.expand(B, -1)
            if n_pending:
                px = torch.stack([p[0] for p in s.pending], 1)
                pa = torch.stack([p[1] for p in s.pending], 1)
                x, acts = torch.cat([px, x], 1), torch.cat([pa, acts], 1)
                levels = torch.cat([self._labels(n_pending), levels], 1)
            inputs = {k: t for hook in self.hooks for k, t in hook.frame_inputs(self, n_pending).items()}
            v, kv = self._call(x, levels, acts, self._guide_from(sch.levels[r, c0:], n_pending), inputs)
            s.next_pos += n_pending
            if n_pending:
                self._admit(s.pending, kv)
                s.pending = []
            for hook in self.hooks:
                hook.after_call(self, r, s.noisy, v[:, n_pending:], lv_now)
            s.noisy = self._ddim(s.noisy, v[:, n_pending:], lv_now, lv_next)
        t1 = time.perf_counter()
        out = sch.shift
        done, done_a = s.noisy[:, :out], s.noisy_actions[:, :out]
        s.pending = [(self._stabilise(done[:, i]), done_a[:, i], done[:, i]) for i in range(out)]
        s.noisy = torch.cat([s.noisy[:, out:], self.noise((done.shape[0], out, *done.shape[2:]))], 1)
        s.noisy_actions = torch.cat([s.noisy_actions[:, out:], a[:, None].expand(-1, out, -1)], 1)
        self.timings = {"model_ms": (t1 - t0) * 1000}
        return done

    def _show(self, done: torch.Tensor) -> None:
        """Finished latents (B, n, C, h, w) decoded into the outbox, shown one per tick."""
        t0 = time.perf_counter()
        frames = self._decode(done.flatten(0, 1)).view(done.shape[0], done.shape[1], *self.frame_hw, 3)
        for i in range(done.shape[1]):
            self.s.outbox.append(frames[:, i].cpu().numpy())
        self.timings["decode_ms"] = (time.perf_counter() - t0) * 1000

    @property
    def camera_pitch(self) -> np.ndarray:
        """(B,) the camera pitch in degrees now: the context's, turned by the actions since."""
        return self.s.pitch.copy()

    @property
    def frame_hw(self) -> tuple[int, int]:
        return tuple(self.ae.cfg.image_size)

    def state_size(self) -> dict:
        """Sizes that must stay bounded over a long session."""
        past = 0 if self.s.past is None else self.s.past[0][0].shape[2]
        sizes = {"cache_frames": past, "bank_frames": len(self.s.bank), "cached_latents": len(self.s.cached),
                 "outbox": len(self.s.outbox), "pending": len(self.s.pending)}
        for hook in self.hooks:
            sizes.update(hook.state_size())
        return sizes


def _pitches(pitch, n: int) -> np.ndarray:
    """reset's `pitch` (None: level, a number, or one per row) as (n,) float64 degrees."""
    return np.broadcast_to(np.asarray(0.0 if pitch is None else pitch, np.float64), (n,)).copy()
