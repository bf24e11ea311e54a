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
    (p0, t0, m0), (p1, t1, m1) = first, other
    if m0.get("models") != m1.get("models"):
        raise CheckpointError(f"{p1} holds other models or configs than {p0}; only fine-tunes of one model "
                              "(same preset and config) can be averaged")
    names0, names1 = set(t0), set(t1)
    if names0 != names1:
        odd = sorted(names0 ^ names1)[0]
        raise CheckpointError(f"{p1} and {p0} differ in tensor names (e.g. {odd!r})")
    for k in sorted(names0):
        a, b = t0[k], t1[k]
        if a.shape != b.shape or a.dtype != b.dtype:
            raise CheckpointError(f"tensor {k!r}: {p0} has {a.dtype} {tuple(a.shape)}, "
                                  f"{p1} has {b.dtype} {tuple(b.shape)}")


def average_tensors(sources: list[dict[str, torch.Tensor]], weights: list[float]) -> dict[str, torch.Tensor]:
    """Weighted mean of same-keyed state dicts, computed in fp32 and cast back to each tensor's
    dtype; integer tensors (counters, indices) must agree and are copied from the first."""
    out = {}
    for k, first in sources[0].items():
        if not first.is_floating_point():
            assert all(torch.equal(first, s[k]) for s in sources), f"non-float tensor {k} differs"
            out[k] = first.clone()
            continue
        acc = sum(s[k].float() * w for s, w in zip(sources, weights))
        out[k] = acc.to(first.dtype).contiguous()
    return out


def average(paths: list[str | Path], out: str | Path, weights: list[float] | None = None) -> str:
    """Write the weighted mean of the checkpoints at `paths` to `out`. Returns its sha256."""
    weights = normalized_weights(len(paths), weights)
    loaded = []
    for p in map(Path, paths):
        tensors, meta = checkpoint.read(p)
        if not meta.get("models"):
            raise CheckpointError(f"{p} has no playground metadata; only playground checkpoints can be averaged")
        loaded.append((p, tensors, meta))
    for other in loaded[1:]:
        _check_same(loaded[0], other)
    mean = average_tensors([t for _, t, _ in loaded], weights)
    meta = loaded[0][2]
    extra = dict(meta.get("extra", {}))
    extra["average"] = [{"file": p.name, "sha256": checkpoint.sha256(p), "weight": round(w, 6)}
                        for (p, _, _), w in zip(loaded, weights)]
    return checkpoint.save_raw(out, mean, meta["models"], extra)
