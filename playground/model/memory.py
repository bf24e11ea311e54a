"""Memory of evicted frames (Meta-ARVDM's "modulated compression" with the "prepend"
structure).

A frame leaving the window is compressed with its action into `tokens` memory tokens:
its clean patch-embedded tokens are normalised, modulated by the action embedding,
attention-pooled by learned queries and projected (`ops.compress`, one fused kernel on
GPU). A bank of the last `frames` compressed frames, each tagged with a learned slot
embedding for its age, is prepended to the keys of every window frame's spatial
attention. The bank itself (a bounded FIFO) lives in the sampler; the model only
compresses and reads.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from playground import ops
from playground.model.layers import modulation


class FrameCompressor(nn.Module):
    def __init__(self, dim: int, tokens: int, frames: int):
        super().__init__()
        self.tokens, self.frames = tokens, frames
        self.adaLN_modulation = modulation(dim, 2)          # action -> (shift, scale)
        self.queries = nn.Parameter(torch.randn(tokens, dim) * dim ** -0.5)
        self.proj = nn.Linear(dim, dim)
        self.slot_emb = nn.Parameter(torch.zeros(frames, tokens, dim))

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x (B, N, D) clean frame tokens; cond (B, D) its action embedding -> (B, K, D)."""
        shift, scale = self.adaLN_modulation(cond).chunk(2, -1)
        return ops.compress(x, shift, scale, self.queries, self.proj.weight.t(), self.proj.bias)

    def bank(self, compressed: torch.Tensor) -> torch.Tensor:
        """(B, M, K, D) compressed frames, oldest first, M <= frames -> memory tokens
        (B, M * K, D) with age embeddings (the newest frame always gets the last slot)."""
        m = compressed.shape[1]
        assert m <= self.frames, f"bank holds at most {self.frames} frames, got {m}"
        return (compressed + self.slot_emb[self.frames - m:]).flatten(1, 2)
