"""DiT training on pre-encoded latent clips: v-prediction loss at per-frame noise levels
(see `levels.py`), memory trained on longer clips whose first frames are compressed."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from tqdm import tqdm

from playground.camera import CameraModel
from playground import checkpoint, ops
from playground.config import ConfigError
from playground.device import torch_device
from playground.dream.tuning import SamplerDefaults
from playground.model.autoencoder import AEConfig, Autoencoder, frames_to_tensor
from playground.model.diffusion import add_noise, alphas_cumprod, v_target
from playground.model.dit import DiT, DiTConfig
from playground.train.datagen import DatasetError
from playground.train.dataset import EpisodeBank, action_changes
from playground.train.dream_context import dream_context
from playground.train.fewstep import FewStepConfig, fewstep_levels, fewstep_loss
from playground.train.levels import LevelMix, dream_levels, sample_levels
from playground.train.loop import TrainConfig, fit, is_main
from playground.train.renders import RenderConfig, load_renders
from playground.train.samples import dit_sample_fn


@dataclass(frozen=True)
class DiTTrainConfig:
    model: DiTConfig = field(default_factory=DiTConfig)
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=20000, batch_size=16, lr=5e-4))
    levels: LevelMix = field(default_factory=LevelMix)
    clip: int = 12                   # frames per training window
    memory_prob: float = 0.5         # batches trained with a memory of the preceding frames
    # Share of clips placed so that an action change (dataset.action_changes) falls on one of
    # their last 4 frames, where the loss is: it teaches the model to start and stop walking
    # on the key alone (from a standing start the dream otherwise barely moves).
    transition_prob: float = 0.0
    # Loss weight of a frame: 1 + motion_weight * min(motion / mean motion, 4), motion being the
    # mean squared latent change from the previous frame. Walking and turning frames, where the
    # keys decide the picture, count more than the standing and drifting frames that a model
    # can get right by copying its context (0: every frame weighs the same).
    motion_weight: float = 0.0
    # Share of batches whose last 1..dream_frames context frames are the model's own samples
    # (dream_context.py), made as the frame-2 sampler makes them, with the real next frame as
    # the target: it learns to correct the drift of its own frames instead of copying it.
    # At 0.5, training steps took about 10% longer on the CPU. 0: real context only.
    dream_prob: float = 0.0
    dream_frames: int = 6
    # Dream that context with the action guidance of `sampler` (action_guidance, guidance_on),
    # as players see it, rather than unguided: the guided sampler drifts differently (with
    # guidance 2 on the keys it walks further), and the model should learn to correct the
    # drift it will really be given. Each dreamed frame adds its reference copy to the call.
    dream_guided: bool = False
    # A share of the batches (fewstep.prob) trains the sampler's coarse calls towards the end
    # of the model's own finer chain (fewstep.py): sharper frames from the same two calls.
    fewstep: FewStepConfig = field(default_factory=FewStepConfig)
    # Sampler settings recommended to users of the exported checkpoint (playground.dream.tuning);
    # choose them on held-out seeds, e.g. `--export-only PATH --set sampler.action_guidance=1`.
    sampler: SamplerDefaults = field(default_factory=SamplerDefaults)
    # The camera the training frames were seen with (datagen's --fov); the sampler's geometry
    # uses the checkpoint's record of it.
    camera: CameraModel = field(default_factory=CameraModel)
    # Fine-tune: start a new run (no state.pt yet) from the DiT weights of an exported
    # checkpoint, e.g. the shipped one, with a fresh optimiser and this config's schedule.
    # Its model config must equal `model`, except that `model.depth` may be larger: the
    # model grows, new blocks starting as the identity (init_weights). "" starts from random weights.
    init_from: str = ""
    # How the world memory's pictures are made for a render-input model (model.render_input):
    # the drift added to the true pose (renders.py).
    renders: RenderConfig = field(default_factory=RenderConfig)

    def __post_init__(self):
        for name in ("memory_prob", "transition_prob", "dream_prob"):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"{name} is a probability in [0, 1], got {getattr(self, name)}")
        if self.clip < 1 or self.dream_frames < 1:
            raise ConfigError(f"clip and dream_frames must be at least 1, got {self.clip} and {self.dream_frames}")
        if self.dream_prob and self.clip < 3:   # a dreamed frame needs a real frame before it and a target after
            raise ConfigError(f"a dreamed context (dream_prob > 0) needs clips of at least 3 frames, got clip={self.clip}")


def load_ae(path: str | Path) -> Autoencoder:
    tensors, meta = checkpoint.read(path)
    entry = meta["models"].get("ae")
    if entry is None:
        raise checkpoint.CheckpointError(f"{path} holds no autoencoder ('ae' model)")
    ae = Autoencoder(checkpoint.config_from_dict(AEConfig, entry["config"]))
    return checkpoint.load_module(ae, checkpoint.split(tensors, "ae"), f"{path} [ae]").eval()


@torch.no_grad()
def encode_dataset(ae: Autoencoder, bank: EpisodeBank, cache: Path, batch: int = 256) -> np.ndarray:
    """Latents (E, T, C, h, w) float16 of every frame, cached in `cache` (.npy)."""
    if cache.exists():
        lat = np.load(cache, mmap_mode="r")
        if lat.shape[:2] == bank.frames.shape[:2]:
            return np.asarray(lat)
    flat = bank.frames.reshape(-1, *bank.frames.shape[2:])
    out = np.empty((len(flat), *ae.cfg.latent_shape), np.float16)
    for i in tqdm(range(0, len(flat), batch), desc="encode", unit="batch"):
        out[i:i + batch] = ae.encode(frames_to_tensor(flat[i:i + batch])).numpy()
    out = out.reshape(*bank.frames.shape[:2], *out.shape[1:])
    tmp = cache.with_suffix(".tmp.npy")
    np.save(tmp, out)
    tmp.replace(cache)
    return out


def make_batch_fn(latents: np.ndarray, actions: np.ndarray, cfg: DiTTrainConfig, device, renders=None):
    """renders: (E, T, C + 1, h, w), the memory's picture of every frame (render-input models)."""
    mem = cfg.model.memory_frames
    E, T = latents.shape[:2]
    if cfg.transition_prob:
        change_e, change_t = action_changes(actions)
        if not len(change_e):
            raise DatasetError("transition_prob > 0 but the dataset's actions never change: "
                               "--set transition_prob=0, or train on data whose actions change")
    if cfg.motion_weight:
        probe = np.random.default_rng(0)
        mean_motion = max(float(frame_motion(latents, probe.integers(0, E, 4096), probe.integers(1, T, 4096)).mean()),
                          1e-12)   # a dataset that never moves weighs every frame 1

    def batch_fn(rng, step):
        B, L = cfg.train.batch_size, cfg.clip
        use_mem = mem > 0 and rng.random() < cfg.memory_prob
        m = int(rng.integers(1, mem + 1)) if use_mem else 0
        e = rng.integers(0, E, B)
        s = rng.integers(0, T - (L + m) + 1, B)
        if cfg.transition_prob:
            e, s = _at_changes(rng, e, s, change_e, change_t, cfg.transition_prob, L, m, T)
        idx = s[:, None] + np.arange(L + m)[None]
        x = torch.from_numpy(latents[e[:, None], idx].astype(np.float32))
        a = torch.from_numpy(actions[e[:, None], idx])
        dreamed = int(rng.integers(1, min(cfg.dream_frames, L - 2) + 1)) if rng.random() < cfg.dream_prob else 0
        fewstep = not dreamed and cfg.fewstep.prob > 0 and rng.random() < cfg.fewstep.prob
        if dreamed:
            levels, mask = dream_levels(rng, B, L, cfg.levels)
        elif fewstep:
            levels, mask = fewstep_levels(rng, B, L, cfg.fewstep, cfg.levels.max_context_level)
        else:
            levels, mask = sample_levels(rng, B, L, cfg.levels)
        eps = torch.from_numpy(rng.standard_normal((B, L, *x.shape[2:]), dtype=np.float32))
        weight = mask.astype(np.float32)
        if cfg.motion_weight:
            motion = frame_motion(latents, np.repeat(e, L), idx[:, m:].reshape(-1)).reshape(B, L)
            weight *= 1 + cfg.motion_weight * np.minimum(motion / mean_motion, 4.0)
        batch = dict(mem_x=x[:, :m], mem_a=a[:, :m], x0=x[:, m:], actions=a[:, m:], eps=eps,
                     levels=torch.from_numpy(levels), weight=torch.from_numpy(weight),
                     dreamed=torch.tensor(dreamed), dream_seed=torch.tensor(int(rng.integers(2**62))),
                     fewstep=torch.tensor(int(fewstep)))
        if renders is not None:
            batch["render"] = torch.from_numpy(renders[e[:, None], idx[:, m:]].astype(np.float32))
        return {k: v.to(device) for k, v in batch.items()}
    return batch_fn


def frame_motion(latents: np.ndarray, e: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Mean squared change (n,) of latent frames (e, t) from frames (e, t - 1); 0 at t = 0."""
    prev = latents[e, np.maximum(t - 1, 0)].astype(np.float32)
    return ((latents[e, t].astype(np.float32) - prev) ** 2).reshape(len(e), -1).mean(-1)


def _at_changes(rng, e, s, change_e, change_t, prob, L, m, T):
    """Replace a `prob` share of the clip starts (e, s) by clips whose frame L-1-lag
    (lag 0-3, after m memory frames) is an action change."""
    pick = rng.random(len(e)) < prob
    k = rng.integers(0, len(change_e), len(e))
    lag = rng.integers(0, 4, len(e))
    start = np.clip(change_t[k] - m - (L - 1 - lag), 0, T - (L + m))
    return np.where(pick, change_e[k], e), np.where(pick, start, s)


def make_loss_fn(abar: torch.Tensor, guidance: float = 0.0, guidance_on: str = "keys",
                 fewstep: FewStepConfig = FewStepConfig(), teacher: Callable[[], torch.nn.Module] | None = None):
    """The denoising loss (v-prediction, weighted per frame), or on few-step batches the
    distillation towards the `fewstep.teacher_steps`-step chain (fewstep.py) of teacher()
    (the EMA weights, say), or of the model itself when teacher is None."""
    def loss_fn(net, b):
        model = net.module if hasattr(net, "module") else net
        bank, memory = _memory_of(model, b)
        x0, dreamed = b["x0"], int(b["dreamed"])
        if dreamed:
            x0 = dream_context(model, x0, b["levels"], b["actions"], dreamed, bank, int(b["dream_seed"]),
                               guidance=guidance, guidance_on=guidance_on, render=b.get("render"))
        x_t = add_noise(abar, x0, b["levels"], b["eps"])
        inputs = {"render": b["render"]} if "render" in b else {}
        v, _ = net(x_t, b["levels"], b["actions"], memory=memory, **inputs)
        if int(b["fewstep"]):
            chain, chain_memory = model, memory
            if teacher is not None:
                chain = teacher()
                with torch.no_grad():
                    chain_memory = _memory_of(chain, b)[1]

            def predict_v(x, levels):
                return chain(x, levels, b["actions"], memory=chain_memory, **inputs)[0]
            covered = b["render"][:, -1, -1] if fewstep.data_where_covered and "render" in b else None
            return fewstep_loss(predict_v, abar, x_t, b["levels"], v, fewstep.teacher_steps, x0[:, -1], covered), \
                {"memory": int(memory is not None), "fewstep": 1}
        err = (v.float() - v_target(abar, x0, b["levels"], b["eps"])) ** 2
        per_frame = err.flatten(2).mean(-1)                                  # (B, T)
        # weight: 0 on context frames, else 1 (or more where the picture moves: motion_weight)
        loss = (per_frame * b["weight"]).sum() / b["weight"].sum().clamp_min(1e-6)
        return loss, {"memory": int(memory is not None), "fewstep": 0}
    return loss_fn


def _memory_of(model: DiT, b: dict) -> tuple:
    """(bank (B, m, K, D), memory) of the batch's memory frames as `model` compresses them;
    (None, None) when the batch has none."""
    if not b["mem_x"].shape[1]:
        return None, None
    bank = model.compress(b["mem_x"], b["mem_a"])
    return bank, model.memory.bank(bank)


def clip_frames(cfg: DiTTrainConfig) -> int:
    """The most consecutive frames a training batch takes from an episode: the clip and,
    when memory is trained, the memory frames before it."""
    return cfg.clip + (cfg.model.memory_frames if cfg.memory_prob > 0 else 0)


def load_latents(ae: Autoencoder, ae_path: str | Path, folders: list[Path],
                 min_length: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Latents (E, T, C, h, w) and actions (E, T, 25) of every episode of the dataset
    folders, in order; each folder caches its latents under the hash of the autoencoder's
    weights, so checkpoints that share an autoencoder (a fine-tune's base and its
    exports) share the cache. Episodes must hold at least `min_length` frames."""
    key, file_key = checkpoint.weights_sha256(ae)[:12], checkpoint.sha256(ae_path)[:12]
    latents, actions = [], []
    for folder in folders:
        bank = EpisodeBank.load(folder)
        h, w = ae.cfg.image_size
        bank.check_frame_size(folder, ae.cfg.image_size, f"the autoencoder {ae_path} encodes {w}x{h} frames; "
                              f"make data of that size (datagen --width {w} --height {h}) or train an "
                              "autoencoder on these frames")
        if bank.length < min_length:
            raise DatasetError(f"{folder} has episodes of {bank.length} frames, fewer than a training clip and its "
                               f"memory frames take ({min_length}: clip + model.memory_frames); make longer "
                               f"episodes (datagen --ticks {min_length}) or --set clip=... lower")
        if latents and bank.length != latents[0].shape[1]:
            raise DatasetError(f"{folder} has episodes of {bank.length} frames but {folders[0]} has "
                               f"{latents[0].shape[1]}; regenerate one with the other's --ticks")
        cache, legacy = folder / f"latents_ae-{key}.npy", folder / f"latents_{file_key}.npy"
        if legacy.exists() and not cache.exists():       # keyed by the whole file before
            legacy.replace(cache)
        latents.append(encode_dataset(ae, bank, cache))
        actions.append(bank.actions)
        del bank                                          # the frames are not needed once encoded
    return np.concatenate(latents), np.concatenate(actions)


def train(data: str | Path | list, ae_path: str | Path, out: str | Path, cfg: DiTTrainConfig,
          device: str = "cpu", progress: bool = True) -> Path:
    """Train the DiT on `data` (one dataset folder or a list of them) encoded by the
    autoencoder at `ae_path`; write out/model.safetensors holding both (the file
    `playground play` loads)."""
    dev = torch_device(device)
    out = Path(out)
    ae = load_ae(ae_path)
    folders = [Path(d) for d in ([data] if isinstance(data, (str, Path)) else data)]
    if cfg.model.in_channels != ae.cfg.latent_channels or \
            tuple(cfg.model.input_size) != ae.cfg.latent_shape[1:]:
        raise checkpoint.CheckpointError(
            f"DiT input {cfg.model.in_channels}x{cfg.model.input_size} does not match the "
            f"autoencoder latent {ae.cfg.latent_shape}; fix model.in_channels / model.input_size")
    latents, actions = load_latents(ae, ae_path, folders, clip_frames(cfg))
    renders = load_renders(ae, folders, cfg.renders) if cfg.model.render_input else None
    out.mkdir(parents=True, exist_ok=True)   # only once the data fits the model
    torch.manual_seed(cfg.train.seed)
    model = DiT(cfg.model)
    if cfg.init_from and not (out / "state.pt").exists():
        init_weights(model, cfg.init_from)
    abar = alphas_cumprod(cfg.model.schedule).float().to(dev)
    batch_fn = make_batch_fn(latents, actions, cfg, dev, renders)
    sample_fn = dit_sample_fn(ae.to(dev), context=min(4, cfg.model.max_frames - 2))
    guidance = cfg.sampler.action_guidance if cfg.dream_guided else 0.0
    ema_copy: list[torch.nn.Module] = []     # fit hands its EMA weights over here (the `ema` teacher)
    teacher = (lambda: ema_copy[0]) if cfg.fewstep.teacher == "ema" else None
    loss_fn = make_loss_fn(abar, guidance, cfg.sampler.guidance_on, cfg.fewstep, teacher)
    # Training takes the PyTorch path throughout: the Triton kernels compile and autotune once
    # per shape, and the dreamed context (no_grad, 1-6 frames) meets many shapes: on an H200
    # the first steps took 4 s each (batch 128), against 0.13 s (batch 64) on the PyTorch path.
    with ops.forced_backend("torch"):
        ema = fit(model, loss_fn, batch_fn, cfg.train, out, dev, sample_fn, desc="dit", progress=progress,
                  on_ema=ema_copy.append)
    if not is_main():
        return out / "model.safetensors"
    return export(out / "model.safetensors", ae, ae_path, ema.cpu().float(), cfg, out)


def init_weights(dit: DiT, path: str | Path) -> None:
    """Load the DiT of an exported checkpoint into `dit` (strict). The differences allowed
    grow the model without changing what it predicts: a deeper `dit` (the file's blocks
    fill its first blocks; the blocks beyond keep their adaLN-Zero initialisation, in which
    a block is the identity) and a render input the file lacks (its embedding starts at
    zero), so a fine-tune can add capacity or inputs without starting over. CheckpointError
    when the file holds no DiT or one of another configuration."""
    tensors, meta = checkpoint.read(path)
    entry = meta["models"].get("dit")
    if entry is None:
        raise checkpoint.CheckpointError(f"{path} holds no DiT ('dit' model) to fine-tune from")
    theirs = checkpoint.config_to_dict(checkpoint.config_from_dict(DiTConfig, entry["config"]))
    ours = checkpoint.config_to_dict(dit.cfg)
    grows = {"depth": theirs["depth"] < ours["depth"],
             "render_input": not theirs.get("render_input") and ours["render_input"]}
    diff = [f"{k}: file {theirs.get(k)} vs config {ours[k]}" for k in ours
            if theirs.get(k) != ours[k] and not grows.get(k)]
    if diff:
        raise checkpoint.CheckpointError(f"cannot fine-tune from {path}: its DiT differs in " + "; ".join(diff)
                                         + " (set model.* to match, or a larger model.depth to grow it,"
                                         " or drop init_from)")
    new_blocks = tuple(f"blocks.{i}." for i in range(theirs["depth"], ours["depth"]))
    new = new_blocks + (("render_embedder.",) if grows["render_input"] else ())
    checkpoint.load_module(dit, checkpoint.split(tensors, "dit"), f"{path} [dit]",
                           optional=lambda k: k.startswith(new))   # they keep their identity (zero) init


def init_steps(cfg: DiTTrainConfig) -> int:
    """Optimiser steps behind the weights a fine-tune started from (0 without init_from)."""
    if not cfg.init_from:
        return 0
    done = checkpoint.read(cfg.init_from)[1].get("extra", {}).get("dit_train", {})
    return int(done.get("total_steps") or done.get("steps", 0))


def export_from_state(run: str | Path, ae_path: str | Path, cfg: DiTTrainConfig, out: str | Path | None = None) -> Path:
    """Write the EMA weights of a run's last saved state (training may still be going)."""
    run = Path(run)
    if not (run / "state.pt").exists():
        raise checkpoint.CheckpointError(f"{run} has no state.pt to export")
    st = torch.load(run / "state.pt", map_location="cpu", weights_only=False)
    dit = DiT(cfg.model)
    dit.load_state_dict(st["ema"])
    return export(Path(out) if out else run / "model.safetensors", load_ae(ae_path), ae_path, dit, cfg, run,
                  steps=st["step"])


def export(path: Path, ae: Autoencoder, ae_path, dit: DiT, cfg: DiTTrainConfig, run: Path,
           dtype=torch.float16, steps: int | None = None) -> Path:
    """steps: optimiser steps of this run (default: the run log's last row); total_steps in
    the metadata adds those behind the weights it was fine-tuned from."""
    log = run / "log.jsonl"
    if steps is None:
        lines = log.read_text().strip().splitlines() if log.exists() else []
        steps = json.loads(lines[-1])["step"] if lines else 0
    extra = {"dit_train": {"steps": steps, "clip": cfg.clip, "batch_size": cfg.train.batch_size,
                           "transition_prob": cfg.transition_prob, "motion_weight": cfg.motion_weight,
                           "dream_prob": cfg.dream_prob, "dream_frames": cfg.dream_frames,
                           "dream_guided": cfg.dream_guided, "fewstep": asdict(cfg.fewstep),
                           "max_context_level": cfg.levels.max_context_level, "levels": asdict(cfg.levels),
                           "total_steps": init_steps(cfg) + steps,
                           **({"renders": asdict(cfg.renders)} if cfg.model.render_input else {})},
             "ae_source_sha256": checkpoint.sha256(ae_path), "sampler": asdict(cfg.sampler),
             "camera": asdict(cfg.camera)}
    checkpoint.save(path, {"ae": ("conv-ae", ae.cfg, ae), "dit": ("st-dit", cfg.model, dit)},
                    extra=extra, dtype=dtype)
    return path
