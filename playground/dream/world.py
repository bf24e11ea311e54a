"""DreamWorld: the world model as a World (reset(seed) -> frame, step(action) -> frame).

reset(seed) renders the start with the voxel world of the same seed, so the first frame
is exactly the ground truth's, and the dream's context is that frame held still (zero
actions), as a player standing at spawn would see it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from playground import actions as A
from playground import camera, ops
from playground.config import is_whole
from playground.device import torch_device
from playground.dream import schedule as S
from playground.dream import tuning
from playground.dream.load import load_dream
from playground.dream.session import DreamSession, SessionOptions
from playground.world import WorldError, world_seed

DEFAULT_SCHEDULE = ("frame", {"steps": 2})


def check_context(context) -> None:
    """Context frames at reset: None (the cache size) or a whole number of at least 1."""
    if context is not None and not is_whole(context, 1):
        raise WorldError(f"context must be a whole number of frames of at least 1 (or None for the "
                         f"model's cache size), got {context!r}")


@dataclass
class DreamConfig:
    checkpoint: str | None = None          # default: the shipped checkpoint
    schedule: str = DEFAULT_SCHEDULE[0]
    schedule_params: dict = field(default_factory=lambda: dict(DEFAULT_SCHEDULE[1]))
    device: str = "auto"                   # auto: CUDA, then MPS, then the CPU (playground.device)
    options: SessionOptions = field(default_factory=SessionOptions)
    context: int | None = None             # context frames at reset (default: the cache size)
    vae: str | None = None                 # the public model's ViT VAE file (with its bare DiT file)
    prompt_image: str | None = None        # start from this PNG instead of the voxel world's view
    image_size: tuple[int, int] | None = None  # frame size of a public model (default 360 x 640)

    def __post_init__(self):
        check_context(self.context)
        self.device = str(torch_device(self.device))   # "auto" becomes the device it chose


class DreamWorld:
    name = "dream"

    def __init__(self, config: DreamConfig | None = None, models=None):
        self.config = config or DreamConfig()
        self.dit, self.ae, self.ckpt = models or load_dream(self.config.checkpoint, self.config.device,
                                                             vae=self.config.vae,
                                                             image_size=self.config.image_size)
        self.defaults = tuning.from_checkpoint(self.ckpt)
        self.camera = camera.from_checkpoint(self.ckpt)
        self.config.schedule_params = tuning.resolve(self.config.schedule_params, self.config.options,
                                                     self.defaults)
        self.schedule = S.preset(self.config.schedule, **self.config.schedule_params)
        h, w = self.ae.cfg.image_size
        self.frame_shape = (h, w, 3)
        self.session: DreamSession | None = None
        self.seed: int | None = None
        self.tick = 0
        self._truth = None
        self._recent: deque = deque(maxlen=16)   # (frame, action) just shown, for set_schedule

    def _voxel(self):
        from playground.voxel import VoxelConfig, VoxelWorld
        h, w, _ = self.frame_shape
        if self._truth is None:
            self._truth = VoxelWorld(VoxelConfig.make(w, h))
        return self._truth

    def _prompt(self) -> np.ndarray:
        """The user's start image, resized to the model's frame size."""
        from PIL import Image, UnidentifiedImageError
        h, w, _ = self.frame_shape
        try:
            with Image.open(self.config.prompt_image) as img:
                return np.asarray(img.convert("RGB").resize((w, h), Image.BICUBIC), np.uint8)
        except (FileNotFoundError, UnidentifiedImageError) as e:
            raise WorldError(f"cannot use prompt image {self.config.prompt_image}: {e}") from None

    def reset(self, seed: int | None = None) -> np.ndarray:
        self.seed = world_seed(seed)
        first = self._prompt() if self.config.prompt_image else self._voxel().reset(self.seed)
        pitch = 0.0 if self.config.prompt_image else self._voxel().player.pitch   # a prompt: assume level
        self.session = DreamSession(self.dit, self.ae, self.schedule, self.config.options,
                                    seed=self.seed, device=self.config.device, camera=self.camera)
        n = self.config.context or self.session.cache_frames   # None: the cache size
        frames = np.repeat(first[None, None], n, axis=1)
        self.session.reset(frames, np.zeros((1, n, A.ACTION_DIM), np.float32), pitch)
        self.tick = 0
        self._recent.clear()
        self._recent.append((first, A.zero()))
        return first.copy()

    def step(self, action) -> np.ndarray:
        if self.session is None:
            raise WorldError("call reset(seed) before step(action)")
        self.tick += 1
        a = A.validate(action)
        frame = self.session.step(a[None])[0]
        self._recent.append((frame, a))
        return frame

    def set_schedule(self, name: str, **params) -> None:
        """Switch the sampler now: a new session continues from the frames just shown
        (re-encoded as its context), so the picture does not jump."""
        params = tuning.with_label(params, self.defaults)
        self.schedule = S.preset(name, **params)
        self.config.schedule, self.config.schedule_params = name, params
        if self.session is not None and self._recent:
            pitch = self.session.camera_pitch
            self.session = DreamSession(self.dit, self.ae, self.schedule, self.config.options,
                                        seed=self.seed + self.tick, device=self.config.device, camera=self.camera)
            frames = np.stack([f for f, _ in self._recent])[None]
            acts = np.stack([a for _, a in self._recent])[None]
            self.session.reset(frames, acts, pitch)

    def change_steps(self, delta: int) -> int:
        """+/- denoising steps of the current preset (within 1..16); returns the new value."""
        key = S.STEP_PARAM[self.config.schedule]
        params = dict(self.config.schedule_params)
        current = params.get(key, getattr(self.schedule, "calls", 1))
        params[key] = int(np.clip(current + delta, 1, 16))
        try:
            self.set_schedule(self.config.schedule, **params)
        except S.ScheduleError:
            return current  # e.g. pyramid steps not divisible: keep the old setting
        return params[key]

    def set_memory(self, on: bool) -> None:
        self.config.options.use_memory = on
        if self.session is not None:
            self.session.opt.use_memory = on

    def info(self) -> dict:
        out = {"world": self.name, "seed": self.seed, "tick": self.tick,
               "schedule": self.schedule.describe(), "steps": self.schedule.calls,
               "latency_ticks": self.schedule.latency, "recondition": self.config.options.recondition,
               "context_label": self.schedule.context_label, "action_guidance": self.config.options.action_guidance,
               "guidance_min_level": self.config.options.guidance_min_level,
               "guidance_on": self.config.options.guidance_on,
               "turn_warp_level": self.config.options.turn_warp_level,
               "memory": "on" if self.config.options.use_memory and self.dit.memory is not None else "off",
               "device": self.config.device, "kernels": ops.backend_name(self.config.device),
               "checkpoint_sha256": self.ckpt["sha256"][:12]}
        return out

    def timings(self) -> dict[str, float]:
        """Milliseconds per stage of the last tick (kept out of info(): not deterministic)."""
        return {} if self.session is None else {k: round(v, 2) for k, v in self.session.timings.items()}

    def close(self) -> None:
        self.session = None
