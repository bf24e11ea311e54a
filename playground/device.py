"""The torch device a user names (`--device`), checked before anything is built on it.

torch.device("cuda") succeeds on a machine without a GPU and fails later, deep inside the
first tensor op, with an AssertionError; this says up front what is missing and what to do.
"""
from __future__ import annotations

import torch

from playground.errors import PlaygroundError


class DeviceError(PlaygroundError, ValueError):
    """A device that this PyTorch cannot use."""


def auto_device() -> torch.device:
    """The fastest device this PyTorch can use: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def torch_device(name: str | torch.device) -> torch.device:
    """`name` as a torch.device that is present here ("auto": auto_device()); DeviceError
    otherwise."""
    if name == "auto":
        return auto_device()
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as e:
        raise DeviceError(f"unknown device {name!r} ({e}); use cpu or cuda") from None
    if device.type == "cpu":
        return device
    backend = getattr(torch, device.type, None)
    available = getattr(backend, "is_available", lambda: False)()
    if not available:
        hint = (" (a CPU build of PyTorch; for a CUDA build: make clean-venv setup TORCH_INDEX=https://download.pytorch.org/whl/cu128)"
                if device.type == "cuda" and torch.version.cuda is None else "")
        raise DeviceError(f"device {str(device)!r} is not available to this PyTorch{hint}; use --device cpu")
    count = getattr(backend, "device_count", lambda: 1)()
    if device.index is not None and device.index >= count:
        raise DeviceError(f"device {str(device)!r} does not exist: this machine has {count} {device.type} device(s)")
    return device


def native_bf16_cpu() -> bool:
    """Whether this CPU computes in bf16 natively (AVX-512 BF16 or AMX). Without it PyTorch
    emulates bf16 through fp32 and is several times slower: on a 2-core AMD EPYC with AVX2
    only, `playground bench --vector 8` stepped 8 envs in 2075 ms in bf16 against 399 ms
    in fp32."""
    caps = getattr(torch.cpu, "get_capabilities", lambda: {})()
    return bool(caps.get("avx512_bf16") or caps.get("amx_bf16"))


def fast_bf16(device: torch.device, batch: int) -> bool:
    """Whether the dream's DiT runs faster in bf16 than in fp32 for `batch` rows on `device`:
    on CUDA where the GPU has bf16; on a CPU with native bf16 (native_bf16_cpu) for batches
    of 4 and more, as measured with the shipped model on a 2-core AMD EPYC with AVX-512 BF16
    (`playground bench --vector 8`: bf16 steps 8 envs at 2.8x one env's cost, fp32 at
    4.5-5x; one row is faster in fp32). Elsewhere fp32."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and batch >= 4 and native_bf16_cpu()
