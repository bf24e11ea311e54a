"""DreamWorld: the world model as a World (reset(seed) -> frame, step(action) -> frame).

reset(seed) starts from `start`'s view of the seed (by default the voxel world's,
playground.world.VoxelStart), so the first frame is exactly the ground truth's, and the
dream's context is that frame held still (zero actions), as a player standing at spawn
would see it. The dream itself knows nothing of the voxel world.

The same session runs B rows at once for the vector env and evaluation: `begin(firsts,
pitches, seed)`, `step_rows(actions)`, `restart_rows(rows, firsts, pitches)`; reset and
step are its one-row case.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from playground import actions as A
from playground import camera, ops
from playground.device import torch_device
from playground.dream import schedule as S
from playground.dream import tuning
from playground.dream.load import load_dream
from playground.dream.session import DreamSession
from playground.dream.settings import SamplerSettings
from playground.world import StartView, VoxelStart, WorldError, world_seed


def held_context(first: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A start as context: the first frame (H, W, 3) held still for n ticks, as a player
    standing at spawn sees it; frames (n, H, W, 3) and zero actions (n, 25)."""
    return np.repeat(first[None], n, axis=0), np.zeros((n, A.ACTION_DIM), np.float32)


@dataclass
class DreamConfig:
    checkpoint: str | None = None          # default: the shipped checkpoint
    sampler: SamplerSettings = field(default_factory=SamplerSettings)
    device: str = "auto"                   # auto: CUDA, then MPS, then the CPU (playground.device)
    vae: str | None = None                 # the public model's ViT VAE file (with its bare DiT file)
    prompt_image: str | None = None        # start from this PNG instead of the voxel world's view
    image_size: tuple[int, int] | None = None  # frame size of a public model (default 360 x 640)

    def __post_init__(self):
        self.sampler = SamplerSettings.build(self.sampler)
        self.device = str(torch_device(self.device))   # "auto" becomes the device it chose


class DreamWorld:
    name = "dream"

    def __init__(self, config: DreamConfig | None = None, models=None, start: StartView | None = None,
                 batch: int = 1):
        """batch: the rows it will mostly run at once (the precision left open is the faster
        one for that many)."""
        self.config = config or DreamConfig()
        self.start = start or VoxelStart()
        self.dit, self.ae, self.ckpt = models or load_dream(self.config.checkpoint, self.config.device,
                                                             vae=self.config.vae,
                                                             image_size=self.config.image_size)
        self.defaults = tuning.from_checkpoint(self.ckpt)
        self.camera = camera.from_checkpoint(self.ckpt)
        self.settings = self.config.sampler.resolved(self.defaults, self.config.device, batch)   # what runs
        self.schedule = self.settings.make_schedule()
        h, w = self.ae.cfg.image_size
        self.frame_shape = (h, w, 3)
        self.session: DreamSession | None = None
        self.seed: int | None = None
        self.tick = 0
        self._recent: deque = deque(maxlen=16)   # (frame, action) just shown, for set_schedule

    def _prompt(self) -> np.ndarray:
        """The user's start image, resized to the model's frame size."""
        from PIL import Image, UnidentifiedImageError
        h, w, _ = self.frame_shape
        try:
            with Image.open(self.config.prompt_image) as img:
                return np.asarray(img.convert("RGB").resize((w, h), Image.BICUBIC), np.uint8)
        except (FileNotFoundError, UnidentifiedImageError) as e:
            raise WorldError(f"cannot use prompt image {self.config.prompt_image}: {e}") from None

    def view(self, seed: int) -> tuple[np.ndarray, float]:
        """The first frame (H, W, 3) for a world seed and its camera pitch in degrees: the
        prompt image (a level camera) or the start's view."""
        if self.config.prompt_image:
            return self._prompt(), 0.0
        return self.start(world_seed(seed), self.frame_shape[:2])

    def begin(self, firsts: np.ndarray, pitches, seed: int) -> None:
        """A new session for B rows, each from its first frame (B, H, W, 3) held still, seen
        at pitches (B,) degrees; its noise is seeded with `seed`."""
        self.session = DreamSession(self.dit, self.ae, self.schedule, self.settings,
                                    seed=seed, device=self.config.device, camera=self.camera)
        frames, actions = self._held(firsts)
        self.session.reset(frames, actions, pitches)

    def _held(self, firsts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = self.settings.context_frames or self.session.cache_frames
        held = [held_context(f, n) for f in firsts]
        return np.stack([f for f, _ in held]), np.stack([a for _, a in held])

    def step_rows(self, actions: np.ndarray) -> np.ndarray:
        """Every row's next frame (B, H, W, 3) after its action, actions (B, 25)."""
        if self.session is None:
            raise WorldError("call reset(seed) or begin(...) before stepping")
        return self.session.step(actions)

    def restart_rows(self, rows: np.ndarray, firsts: np.ndarray, pitches) -> None:
        """Rows where the mask `rows` (B,) is true start again from first frames (n, H, W, 3)
        at pitches (n,) while the others go on."""
        frames, actions = self._held(firsts)
        self.session.reset_rows(rows, frames, actions, pitches)

    def reset(self, seed: int | None = None) -> np.ndarray:
        self.seed = world_seed(seed)
        first, pitch = self.view(self.seed)
        self.begin(first[None], pitch, self.seed)
        self.tick = 0
        self._recent.clear()
        self._recent.append((first, A.zero()))
        return first.copy()

    def step(self, action) -> np.ndarray:
        if self.session is None:
            raise WorldError("call reset(seed) before step(action)")
        self.tick += 1
        a = A.validate(action)
        frame = self.step_rows(a[None])[0]
        self._recent.append((frame, a))
        return frame

    def set_schedule(self, name: str, **params) -> None:
        """Switch the sampler now: a new session continues from the frames just shown
        (re-encoded as its context), so the picture does not jump."""
        settings = self.settings.with_changes(schedule=name, schedule_params=tuning.with_label(params, self.defaults))
        self.schedule = settings.make_schedule()
        self.settings = settings
        if self.session is not None and self._recent:
            pitch = self.session.camera_pitch
            self.session = DreamSession(self.dit, self.ae, self.schedule, self.settings,
                                        seed=self.seed + self.tick, device=self.config.device, camera=self.camera)
            frames = np.stack([f for f, _ in self._recent])[None]
            acts = np.stack([a for _, a in self._recent])[None]
            self.session.reset(frames, acts, pitch)

    def cycle_preset(self, direction: int) -> str:
        """The next (+1) or previous (-1) named setting (schedule.NAMED); returns its name."""
        names = list(S.NAMED)
        now = self.settings
        params = {k: v for k, v in now.schedule_params.items() if k != "context_label"}
        current = next((n for n, (p, kw) in S.NAMED.items() if p == now.schedule and kw == params), names[0])
        name = names[(names.index(current) + direction) % len(names)]
        preset, params = S.NAMED[name]
        self.set_schedule(preset, **params)
        return name

    def change_steps(self, delta: int) -> int:
        """+/- denoising steps of the current preset (within 1..16); returns the new value."""
        key = S.STEP_PARAM[self.settings.schedule]
        params = dict(self.settings.schedule_params)
        current = params.get(key, getattr(self.schedule, "calls", 1))
        params[key] = int(np.clip(current + delta, 1, 16))
        try:
            self.set_schedule(self.settings.schedule, **params)
        except S.ScheduleError:
            return current  # e.g. pyramid steps not divisible: keep the old setting
        return params[key]

    def set_memory(self, on: bool) -> None:
        self.settings = self.settings.with_changes(use_memory=on)
        if self.session is not None:
            self.session.opt = self.session.opt.with_changes(use_memory=on)

    def info(self) -> dict:
        out = {"world": self.name, "seed": self.seed, "tick": self.tick,
               "schedule": self.schedule.describe(), "steps": self.schedule.calls,
               "latency_ticks": self.schedule.latency, "recondition": self.settings.recondition,
               "context_label": self.schedule.context_label, "action_guidance": self.settings.action_guidance,
               "guidance_min_level": self.settings.guidance_min_level,
               "guidance_on": self.settings.guidance_on,
               "world_memory": self.settings.world_memory,
               "memory": "on" if self.settings.use_memory and self.dit.memory is not None else "off",
               "device": self.config.device, "kernels": ops.backend_name(self.config.device),
               "checkpoint_sha256": self.ckpt["sha256"][:12]}
        return out

    def timings(self) -> dict[str, float]:
        """Milliseconds per stage of the last tick (kept out of info(): not deterministic)."""
        return {} if self.session is None else {k: round(v, 2) for k, v in self.session.timings.items()}

    def close(self) -> None:
        self.session = None
