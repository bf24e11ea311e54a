"""Autoencoder training: L1 + MSE reconstruction in [-1, 1], with small Gaussian noise on
the latents while decoding so the decoder tolerates the diffusion model's errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from playground import checkpoint
from playground.device import torch_device
from playground.model.autoencoder import AEConfig, Autoencoder, frames_to_tensor
from playground.train.dataset import EpisodeBank
from playground.train.loop import TrainConfig, fit, is_main
from playground.train.samples import ae_sample_fn


@dataclass(frozen=True)
class AETrainConfig:
    model: AEConfig = field(default_factory=AEConfig)
    train: TrainConfig = field(default_factory=lambda: TrainConfig(steps=6000, batch_size=32, lr=2e-3))
    latent_noise: float = 0.05
    latent_l2: float = 1e-4


def psnr(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """PSNR in dB per item of uint8-range images (..., H, W, C) or (..., C, H, W)."""
    mse = ((a.float() - b.float()) ** 2).flatten(-3).mean(-1)
    return 10 * torch.log10(255.0 ** 2 / mse.clamp_min(1e-10))


@torch.no_grad()
def evaluate(ae: Autoencoder, frames: np.ndarray, batch: int = 64) -> float:
    """Mean reconstruction PSNR (dB) on uint8 frames (N, H, W, 3)."""
    from playground.model.autoencoder import tensor_to_frames
    ae.eval()
    out = []
    for i in range(0, len(frames), batch):
        x = frames_to_tensor(frames[i:i + batch])
        rec = tensor_to_frames(ae(x))
        out.append(psnr(rec, torch.as_tensor(frames[i:i + batch])))
    return float(torch.cat(out).mean())


def train(data: str | Path, out: str | Path, cfg: AETrainConfig, heldout: np.ndarray | None = None,
          device: str = "cpu", progress: bool = True) -> Path:
    """Train, set latent_scale from data, write out/ae.safetensors; returns its path."""
    dev = torch_device(device)
    bank = EpisodeBank.load(data)
    h, w = bank.frame_size
    bank.check_frame_size(data, cfg.model.image_size, f"train at their size with --set model.image_size=[{h},{w}]")
    torch.manual_seed(cfg.train.seed)
    ae = Autoencoder(cfg.model)

    def batch_fn(rng, step):
        return frames_to_tensor(bank.sample_frames(rng, cfg.train.batch_size)).to(dev)

    def loss_fn(net, x):
        model = net.module if hasattr(net, "module") else net
        z = model.encoder(x)
        rec = model.decoder(z + cfg.latent_noise * z.detach().std() * torch.randn_like(z))
        l1, l2 = F.l1_loss(rec.float(), x), F.mse_loss(rec.float(), x)
        loss = l1 + l2 + cfg.latent_l2 * z.float().pow(2).mean()
        return loss, {"l1": l1.item(), "mse": l2.item()}

    ema = fit(ae, loss_fn, batch_fn, cfg.train, out, dev, ae_sample_fn(heldout), desc="ae", progress=progress)
    path = Path(out) / "ae.safetensors"
    if not is_main():
        return path
    ema = ema.cpu().float()
    with torch.no_grad():
        z = torch.cat([ema.encoder(frames_to_tensor(bank.sample_frames(np.random.default_rng(0), 64)))
                       for _ in range(4)])
    model_cfg = AEConfig(**{**cfg.model.__dict__, "latent_scale": round(float(z.std()), 4)})
    extra = {"heldout_psnr_db": round(evaluate(ema, heldout), 3)} if heldout is not None else {}
    checkpoint.save(path, {"ae": ("conv-ae", model_cfg, ema)}, extra=extra)
    return path
