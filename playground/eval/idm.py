"""The inverse-dynamics model (IDM): which keys and which camera turn took the picture
from frame t-1 to frame t. It is the instrument of the action-accuracy measure, as in
GameWorld Score (Matrix-Game), which feeds generated video to an IDM and reports its
keyboard and camera accuracy.

A small CNN on the two frames side by side in channels (and their difference), with two
heads: keyboard (segments.KEY_CLASSES) and camera (segments.CAMERA_CLASSES). It is
trained on the voxel world only, on world seeds no evaluation or training data uses
(idm_train.py); its accuracy on the world's own frames of the evaluation is the ceiling
of the dream's.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from playground import checkpoint
from playground.eval.segments import CAMERA_CLASSES, KEY_CLASSES

FAMILY = "idm"


@dataclass(frozen=True)
class IDMConfig:
    image_size: tuple[int, int] = (64, 64)
    width: int = 32            # channels of the first convolution; each later one doubles, to 4x
    hidden: int = 256
    dropout: float = 0.3       # in training only: the IDM has far fewer episodes than weights


class IDM(nn.Module):
    """(frames t-1, t) -> (keyboard logits, camera logits)."""

    def __init__(self, cfg: IDMConfig = IDMConfig()):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        chans = (9, w, 2 * w, 4 * w, 4 * w)
        layers = []
        for cin, cout in zip(chans, chans[1:]):   # each halves the frame: 64 -> 4
            layers += [nn.Conv2d(cin, cout, 4, stride=2, padding=1), nn.GroupNorm(8, cout), nn.SiLU()]
        self.features = nn.Sequential(*layers)
        h, wd = (s // 16 for s in cfg.image_size)
        self.trunk = nn.Sequential(nn.Flatten(), nn.Dropout(cfg.dropout), nn.Linear(4 * w * h * wd, cfg.hidden),
                                   nn.SiLU(), nn.Dropout(cfg.dropout))
        self.keys = nn.Linear(cfg.hidden, len(KEY_CLASSES))
        self.camera = nn.Linear(cfg.hidden, len(CAMERA_CLASSES))

    def forward(self, before: torch.Tensor, after: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """before, after: (N, 3, H, W) in [-1, 1] -> logits (N, 6), (N, 9)."""
        z = self.trunk(self.features(torch.cat([before, after, after - before], 1)))   # (N, hidden)
        return self.keys(z), self.camera(z)


def to_input(frames: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, 3) -> float (N, 3, H, W) in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 127.5 - 1


@torch.no_grad()
def log_probs(idm: IDM, frames: np.ndarray, batch: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Per step of uint8 videos (..., T+1, H, W, 3): log-probabilities (..., T, 6) and
    (..., T, 9) of the keyboard and camera class that took frame t-1 to frame t."""
    lead, (T1, H, W, _) = frames.shape[:-4], frames.shape[-4:]
    flat = frames.reshape(-1, T1, H, W, 3)
    before = flat[:, :-1].reshape(-1, H, W, 3)
    after = flat[:, 1:].reshape(-1, H, W, 3)
    keys, cams = [], []
    for i in range(0, len(before), batch):
        k, c = idm(to_input(before[i:i + batch]), to_input(after[i:i + batch]))
        keys.append(k.log_softmax(-1).numpy()), cams.append(c.log_softmax(-1).numpy())
    return (np.concatenate(keys).reshape(*lead, T1 - 1, -1), np.concatenate(cams).reshape(*lead, T1 - 1, -1))


def save(idm: IDM, path: str | Path, extra: dict) -> str:
    """fp16 safetensors with the config and `extra` (its recipe and held-out accuracy)."""
    return checkpoint.save(path, {FAMILY: (FAMILY, idm.cfg, idm)}, extra=extra, dtype=torch.float16)


def load_shipped(path: str | Path | None = None) -> tuple[IDM, dict]:
    """The IDM of `path` (default: the shipped checkpoints/idm.safetensors) and what the
    report says of it: file, sha256 and its accuracy on its own held-out episodes."""
    from playground.shipped import shipped_path
    path = Path(path) if path else shipped_path("idm.safetensors")
    idm, extra = load(path)
    return idm, {"file": str(path), "sha256": checkpoint.sha256(path), "heldout": extra.get("heldout", {}),
                 "recipe": extra.get("config", {})}


def load(path: str | Path) -> tuple[IDM, dict]:
    """The IDM of a file `save` wrote, in fp32 and eval mode, and the file's extra metadata."""
    tensors, meta = checkpoint.read(path)
    entry = meta["models"].get(FAMILY)
    if entry is None:
        raise checkpoint.CheckpointError(f"{path} holds no inverse-dynamics model ('{FAMILY}'); "
                                         "train one with `playground train-idm`")
    cfg = checkpoint.config_from_dict(IDMConfig, entry["config"])
    idm = IDM(cfg)
    sd = {k: v.float() for k, v in checkpoint.split(tensors, FAMILY).items()}
    return checkpoint.load_module(idm, sd, f"{path} [{FAMILY}]").eval(), meta.get("extra", {})
