"""Checkpoints: safetensors files whose metadata carries the model config; one loader that
validates everything before building a model.

File layout: tensor names are the module's state-dict keys, optionally under a prefix
("ae." / "dit."), and `metadata["playground"]` is JSON: {"format": 1, "models": {prefix:
{"family": ..., "config": {...}}}, "extra": {...}}. A shipped checkpoint holds both the
autoencoder and the DiT in one file.

Every user mistake raises `CheckpointError` naming the file and what is wrong: missing
file, not a safetensors file (truncated or corrupt), unknown model family or preset,
missing / unexpected / mis-shaped tensors. Loading is always strict.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from playground.config import ConfigError, build
from playground.errors import PlaygroundError

FORMAT = 1


class CheckpointError(PlaygroundError, ValueError):
    """A checkpoint file that cannot be loaded, and why."""


def sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def weights_sha256(module: torch.nn.Module) -> str:
    """sha256 of a module's tensors (names, dtypes, shapes, bytes), whatever file holds them."""
    h = hashlib.sha256()
    for name, t in sorted(module.state_dict().items()):
        t = t.detach().cpu().contiguous()
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def config_to_dict(cfg) -> dict:
    return asdict(cfg) if is_dataclass(cfg) else dict(cfg)


def config_from_dict(cls, d: dict, where: str = "checkpoint config"):
    """Rebuild a config dataclass from checkpoint metadata (CheckpointError on mismatch)."""
    try:
        return build(cls, d, where)
    except (ConfigError, TypeError) as e:
        raise CheckpointError(f"{e} (is the checkpoint from another playground version?)") from None


def save(path: str | Path, models: dict[str, tuple[str, Any, torch.nn.Module | dict]],
         extra: dict | None = None, dtype: torch.dtype | None = None) -> str:
    """Write {prefix: (family, config, module or state dict)} to `path` atomically.
    `dtype` casts floating tensors (e.g. torch.float16 for a shipped file). Returns sha256."""
    tensors, meta = {}, {}
    for prefix, (family, cfg, module) in models.items():
        sd = module.state_dict() if isinstance(module, torch.nn.Module) else module
        for k, v in sd.items():
            v = v.detach().cpu()
            if dtype is not None and v.is_floating_point():
                v = v.to(dtype)
            tensors[f"{prefix}.{k}" if prefix else k] = v.contiguous()
        meta[prefix] = {"family": family, "config": config_to_dict(cfg)}
    return save_raw(path, tensors, meta, extra)


def save_raw(path: str | Path, tensors: dict[str, torch.Tensor], models: dict, extra: dict | None = None) -> str:
    """Write prefixed `tensors` with `models` metadata ({prefix: {"family", "config"}}, as `read`
    returns it) to `path` atomically. Returns sha256."""
    path = Path(path)
    header = {"playground": json.dumps({"format": FORMAT, "models": models, "extra": extra or {}})}
    tmp = path.with_name(path.name + ".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(_dedupe(tensors), str(tmp), metadata=header)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return sha256(path)


def _dedupe(tensors: dict) -> dict:
    """safetensors refuses shared storage; clone tensors that alias another."""
    seen, out = set(), {}
    for k, v in tensors.items():
        key = (v.untyped_storage().data_ptr(), v.storage_offset(), tuple(v.shape))
        out[k] = v.clone() if key in seen else v
        seen.add(key)
    return out


def read(path: str | Path) -> tuple[dict[str, torch.Tensor], dict]:
    """Tensors and parsed metadata of a checkpoint, or CheckpointError."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint {path} not found")
    if path.is_dir():
        raise CheckpointError(f"checkpoint {path} is a folder; pass the .safetensors file")
    try:
        tensors = load_file(str(path))
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
    except (SafetensorError, OSError, ValueError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path} is not a readable safetensors file (truncated or corrupt?): {e}") from None
    raw = header.get("__metadata__", {}).get("playground")
    meta = json.loads(raw) if raw else {"format": None, "models": {}, "extra": {}}
    return tensors, meta


def split(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    p = f"{prefix}." if prefix else ""
    return {k[len(p):]: v for k, v in tensors.items() if k.startswith(p)}


def check_state_dict(module: torch.nn.Module, sd: dict[str, torch.Tensor], where: str,
                     optional: Callable[[str], bool] = lambda k: False) -> None:
    """Strict key and shape check with a message listing every problem (at most 8 each).
    `optional(key)` marks keys that may be absent (e.g. rebuildable buffers)."""
    want = module.state_dict()
    missing = [k for k in want if k not in sd and not optional(k)]
    unexpected = [k for k in sd if k not in want]
    shapes = [f"{k}: file {tuple(sd[k].shape)} vs model {tuple(want[k].shape)}"
              for k in want if k in sd and sd[k].shape != want[k].shape]
    problems = []
    for name, items in (("missing tensors", missing), ("unexpected tensors", unexpected),
                        ("mis-shaped tensors", shapes)):
        if items:
            more = f" (+{len(items) - 8} more)" if len(items) > 8 else ""
            problems.append(f"{len(items)} {name}: {', '.join(items[:8])}{more}")
    if problems:
        raise CheckpointError(f"{where} does not match its model: " + "; ".join(problems))


def load_module(module: torch.nn.Module, sd: dict[str, torch.Tensor], where: str,
                optional: Callable[[str], bool] = lambda k: False) -> torch.nn.Module:
    check_state_dict(module, sd, where, optional)
    want = module.state_dict()
    module.load_state_dict({k: v.to(want[k].dtype) for k, v in sd.items()}, strict=False)
    return module
