"""Periodic samples during training, saved as PNG strips in the run folder."""
from __future__ import annotations

import logging

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from playground.policies import script
from playground.train.datagen import EVAL_SEED_BASE

log = logging.getLogger(__name__)


def save_strip(rows: list[np.ndarray], path: Path, scale: int = 2) -> None:
    """Rows of frames (N, H, W, 3) stacked into one PNG."""
    grid = np.concatenate([np.concatenate(list(r), axis=1) for r in rows], axis=0)
    img = Image.fromarray(grid)
    img.resize((img.width * scale, img.height * scale), Image.NEAREST).save(path)


def heldout_episode(ticks: int = 24, seed: int = EVAL_SEED_BASE + 7):
    from playground.voxel import VoxelWorld
    world = VoxelWorld()
    frames = [world.reset(seed)]
    acts = script("explore", np.random.default_rng(seed), ticks)
    frames += [world.step(a) for a in acts]
    return np.stack(frames), np.stack(acts)


def ae_sample_fn(heldout: np.ndarray | None):
    """Reconstructions of 8 held-out frames: originals above, reconstructions below."""
    def fn(ema, step, out: Path):
        if heldout is None:
            return
        from playground.model.autoencoder import frames_to_tensor, tensor_to_frames
        from playground.train.autoencoder import evaluate
        x = heldout[:: max(1, len(heldout) // 8)][:8]
        with torch.no_grad():
            rec = tensor_to_frames(ema(frames_to_tensor(x))).numpy()
        save_strip([x, rec], out / f"sample_{step:06d}.png")
        log.info(f"[ae] step {step}: held-out PSNR {evaluate(ema, heldout[:256]):.2f} dB")
    return fn


def dit_sample_fn(ae, context: int = 4, ticks: int = 24):
    """A dream rollout from held-out ground truth (frame sampler, 2 steps): truth above,
    dream below, with its PSNR."""
    frames, acts = heldout_episode(ticks)

    def fn(ema, step, out: Path):
        from playground.dream import schedule as S
        from playground.dream.session import DreamSession
        from playground.eval.metrics import psnr
        sess = DreamSession(ema, ae, S.frame(steps=2, context=context), seed=0)
        sess.reset(np.repeat(frames[:1][None], context, axis=1), np.zeros((1, context, 25), np.float32))
        dream = np.stack([sess.step(a[None])[0] for a in acts])
        save_strip([frames[1::3], dream[::3]], out / f"sample_{step:06d}.png")
        log.info(f"[dit] step {step}: sample rollout PSNR {psnr(dream, frames[1:]).mean():.2f} dB")
        ema.train(False)
    return fn
