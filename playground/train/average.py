"""Weight averaging of checkpoints fine-tuned from one parent ("model soup").

Fine-tunes that start from the same weights stay in one basin of the loss, so a weighted
mean of their tensors is a working model whose behaviour lies between theirs and is often
better than either (Wortsman et al. 2022, "Model soups", arXiv:2203.05482). The shipped
model mixes a fine-tune that keeps turns and walking speed with one trained on dreamed
context (`dream_prob`) that drifts less.

Every source must hold the same models with the same configs and the same tensor names,
shapes and dtypes; anything else is a CheckpointError naming the first difference. The
output keeps the first source's metadata (its sampler recommendation and training record)
and adds `extra["average"]`: each source's file name, sha256 and weight.
"""
from __future__ import annotations

import math
from pathlib import Path

import torch

from playground import checkpoint
from playground.checkpoint import CheckpointError


def normalized_weights(n: int, weights: list[float] | None) -> list[float]:
    """`weights` (default: equal) scaled to sum to 1; CheckpointError unless n >= 2 positive weights."""
    if n < 2:
        raise CheckpointError(f"averaging needs at least two checkpoints, got {n}")
    weights = [1.0] * n if weights is None else list(weights)
    if len(weights) != n:
        raise CheckpointError(f"{len(weights)} weights for {n} checkpoints; give one weight per checkpoint")
    if not all(math.isfinite(w) and w > 0 for w in weights):
        raise CheckpointError(f"weights must be positive numbers, got {weights}")
    total = sum(weights)
    return [w / total for w in weights]


def _check_same(first: tuple[Path, dict, dict], other: tuple[Path, dict, dict]) -> None:
    """`first` = (path, {name: (dtype, shape)}, metadata); `other` = (path, tensors, metadata)."""
    (p0, spec, m0), (p1, t1, m1) = first, other
    if m0.get("models") != m1.get("models"):
        raise CheckpointError(f"{p1} holds other models or configs than {p0}; only fine-tunes of one model "
                              "(same preset and config) can be averaged")
    if set(spec) != set(t1):
        odd = sorted(set(spec) ^ set(t1))[0]
        raise CheckpointError(f"{p1} and {p0} differ in tensor names (e.g. {odd!r})")
    for k in sorted(spec):
        (dtype, shape), b = spec[k], t1[k]
        if b.shape != shape or b.dtype != dtype:
            raise CheckpointError(f"tensor {k!r}: {p0} has {dtype} {tuple(shape)}, "
                                  f"{p1} has {b.dtype} {tuple(b.shape)}")


def _add(acc: dict[str, torch.Tensor] | None, tensors: dict[str, torch.Tensor], weight: float) -> dict:
    """acc + weight x tensors, in fp32 for floating tensors; integer tensors (counters,
    indices) must agree and are kept as they are."""
    if acc is None:   # sums start at +0 so -0 entries come out as +0, as sum() gives: the recipe then
        # rebuilds its soup byte for byte (runs/soup.safetensors, sha256 56cd2c8db1c8)
        acc = {k: torch.zeros(v.shape) if v.is_floating_point() else v.clone() for k, v in tensors.items()}
    for k, v in tensors.items():
        if v.is_floating_point():
            acc[k] += v.float() * weight
        else:
            assert torch.equal(acc[k], v), f"non-float tensor {k} differs"
    return acc


def average(paths: list[str | Path], out: str | Path, weights: list[float] | None = None) -> str:
    """Write the weighted mean of the checkpoints at `paths` to `out`, each tensor cast back to
    its dtype. Sources are read one at a time, so memory holds one fp32 sum and one source.
    Returns the output's sha256."""
    weights = normalized_weights(len(paths), weights)
    first, acc, sources = None, None, []
    for p, w in zip(map(Path, paths), weights):
        tensors, meta = checkpoint.read(p)
        if not meta.get("models"):
            raise CheckpointError(f"{p} has no playground metadata; only playground checkpoints can be averaged")
        if first is None:
            first = (p, {k: (v.dtype, v.shape) for k, v in tensors.items()}, meta)
        else:
            _check_same(first, (p, tensors, meta))
        acc = _add(acc, tensors, w)
        sources.append({"file": p.name, "sha256": checkpoint.sha256(p), "weight": round(w, 6)})
    _, spec, meta = first
    mean = {k: v.to(spec[k][0]).contiguous() for k, v in acc.items()}
    extra = {**meta.get("extra", {}), "average": sources}
    return checkpoint.save_raw(out, mean, meta["models"], extra)
