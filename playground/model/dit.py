"""Spatio-temporal DiT over frame latents, conditioned per frame on noise level + action.

Each block is a spatial sub-block (attention within a frame, 2-D axial rotary, keys
optionally prefixed by memory tokens) then a temporal sub-block (causal attention across
frames at each spatial position, 1-D rotary over absolute frame indices), each followed
by an MLP, each with adaLN-Zero modulation from c = embed(noise level) + embed(action).
The output is a v-prediction (see `playground.model.diffusion`).

The model is a pure function of tensors: it never samples, picks a device or does I/O.
Key/value caching: temporal keys/values of clean frames can be passed back in (`past`),
so a streaming sampler computes only the frames that changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange

from playground import ops
from playground.model.diffusion import NoiseSchedule
from playground.model.layers import (Attention, AxialRotary, Mlp, TimeRotary, TimestepEmbedder,
                                     apply_rotary, modulation, rotation)
from playground.model.memory import FrameCompressor


@dataclass(frozen=True)
class DiTConfig:
    family: str = "st-dit"
    in_channels: int = 8
    input_size: tuple[int, int] = (16, 16)   # latent (h, w)
    patch: int = 2
    dim: int = 128
    depth: int = 4
    heads: int = 4
    mlp_ratio: float = 4.0
    action_dim: int = 25
    max_frames: int = 12                     # window length trained for (= the training clip)
    spatial_max_freq: float = 32.0
    temporal_theta: float = 10000.0
    memory_frames: int = 0                   # memory bank size in frames (0: no memory)
    memory_tokens: int = 4                   # tokens per compressed frame
    # Per frame, the world memory's picture of its pose as a further input: its latent and
    # the share of each latent cell it covers (in_channels + 1 channels), through a patch
    # embedding that starts at zero, so a model grown from one without it starts identical
    # (ControlNet's zero convolution; Matrix-Game 3.5, GEN3C condition on such renders).
    render_input: bool = False
    schedule: NoiseSchedule = field(default_factory=NoiseSchedule)

    @property
    def grid(self) -> tuple[int, int]:
        return self.input_size[0] // self.patch, self.input_size[1] // self.patch

    @property
    def tokens_per_frame(self) -> int:
        return self.grid[0] * self.grid[1]

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads


class SpatioTemporalBlock(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        d = cfg.dim
        self.s_attn, self.s_mlp = Attention(d, cfg.heads), Mlp(d, cfg.mlp_ratio)
        self.s_adaLN_modulation = modulation(d, 6)
        self.t_attn, self.t_mlp = Attention(d, cfg.heads), Mlp(d, cfg.mlp_ratio)
        self.t_adaLN_modulation = modulation(d, 6)

    def forward(self, x, c, s_rot, t_rot, memory=None, past=None, frame_mask=None):
        """x (B, T, N, D); c (B, T, D); s_rot, t_rot: rotations of angles (N, Dh), (T, Dh);
        memory (B, M, D) or None; past: cached temporal (k, v) (B*N, H, Tc, Dh) or None;
        frame_mask (T, T) bool or None (causal). Returns x and this block's temporal (k, v)
        for the T frames."""
        x = self._spatial(x, c, s_rot, memory)
        return self._temporal(x, c, t_rot, past, frame_mask)

    def _spatial(self, x, c, rot, memory):
        B, T, N, D = x.shape
        shift, scale, gate, shift2, scale2, gate2 = self.s_adaLN_modulation(c)[:, :, None].chunk(6, -1)
        h = ops.modulate_norm(x, shift, scale)
        q, k, v = self.s_attn.qkv(h.reshape(B, T * N, D))                    # (B, H, T*N, Dh)
        q = apply_rotary(q.unflatten(2, (T, N)), rot).flatten(2, 3)
        k = apply_rotary(k.unflatten(2, (T, N)), rot).flatten(2, 3)
        prefix = 0
        if memory is not None:
            mk, mv = F.linear(F.layer_norm(memory, (D,), eps=1e-6), self.s_attn.to_qkv.weight[D:]).chunk(2, -1)
            mk, mv = (t.unflatten(-1, (self.s_attn.heads, -1)).transpose(1, 2) for t in (mk, mv))   # (B, H, M, Dh)
            k, v, prefix = torch.cat([mk, k], 2), torch.cat([mv, v], 2), memory.shape[1]
        o = ops.attention(q, k, v, prefix=prefix, frame_len=N, mode="frame")
        x = ops.gated_residual(x, self.s_attn.out(o).reshape(B, T, N, D), gate)
        return ops.gated_residual(x, self.s_mlp(ops.modulate_norm(x, shift2, scale2)), gate2)

    def _temporal(self, x, c, rot, past, frame_mask=None):
        B, T, N, D = x.shape
        shift, scale, gate, shift2, scale2, gate2 = self.t_adaLN_modulation(c)[:, :, None].chunk(6, -1)
        h = ops.modulate_norm(x, shift, scale)
        h = h.transpose(1, 2).flatten(0, 1)                                  # (B*N, T, D)
        q, k, v = self.t_attn.qkv(h)                                          # (B*N, H, T, Dh)
        q, k = apply_rotary(q, rot), apply_rotary(k, rot)
        kv = (k, v)
        if past is None and frame_mask is None:
            o = ops.attention(q, k, v, mode="causal")
        else:
            pk, pv = (k[:, :, :0], v[:, :, :0]) if past is None else (past[0].to(k.dtype), past[1].to(v.dtype))
            o = ops.attention_cached(q, k, v, pk, pv, frame_mask)
        o = self.t_attn.out(o).unflatten(0, (B, N)).transpose(1, 2)          # (B, T, N, D)
        x = ops.gated_residual(x, o, gate)
        return ops.gated_residual(x, self.t_mlp(ops.modulate_norm(x, shift2, scale2)), gate2), kv


class FinalLayer(nn.Module):
    def __init__(self, dim: int, out: int):
        super().__init__()
        self.adaLN_modulation = modulation(dim, 2)
        self.linear = nn.Linear(dim, out)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c)[:, :, None].chunk(2, -1)
        return self.linear(ops.modulate_norm(x, shift, scale))


class PatchEmbed(nn.Module):
    def __init__(self, channels: int, dim: int, patch: int):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, stride=patch)

    def forward(self, x):                        # (B, T, C, H, W) -> (B, T, N, D)
        B = x.shape[0]
        return rearrange(self.proj(x.flatten(0, 1)), "(b t) d h w -> b t (h w) d", b=B)


class DiT(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.dim
        self.x_embedder = PatchEmbed(cfg.in_channels, d, cfg.patch)
        self.render_embedder = PatchEmbed(cfg.in_channels + 1, d, cfg.patch) if cfg.render_input else None
        self.t_embedder = TimestepEmbedder(d)
        self.external_cond = nn.Linear(cfg.action_dim, d)
        self.spatial_rotary = AxialRotary(cfg.head_dim // 2, cfg.spatial_max_freq)
        self.temporal_rotary = TimeRotary(cfg.head_dim, cfg.temporal_theta)
        self.blocks = nn.ModuleList(SpatioTemporalBlock(cfg) for _ in range(cfg.depth))
        self.final_layer = FinalLayer(d, cfg.patch ** 2 * cfg.in_channels)
        self.memory = FrameCompressor(d, cfg.memory_tokens, cfg.memory_frames) if cfg.memory_frames else None
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, nn.Linear) and m.weight.abs().sum() > 0:
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        nn.init.normal_(self.t_embedder.mlp[0].weight, std=0.02)
        nn.init.normal_(self.t_embedder.mlp[2].weight, std=0.02)
        if self.render_embedder is not None:   # zero: the render changes nothing until trained to
            nn.init.zeros_(self.render_embedder.proj.weight)
            nn.init.zeros_(self.render_embedder.proj.bias)

    def forward(self, x, levels, actions, positions=None, memory=None, past=None, frame_mask=None, render=None):
        """Predict v for every frame.

        x: noisy latents (B, T, C, H, W); levels: integer noise levels (B, T);
        actions: (B, T, 25); positions: absolute frame indices (T,) (default: after the
        cached frames); memory: memory tokens (B, M, D) or None; past: per block cached
        temporal (k, v) of earlier clean frames, or None; frame_mask: (T, T) bool, which of
        the T frames each one attends to in time, or None (causal). A sampler can put
        alternatives of a frame in one sequence with it, e.g. the same frame under two
        actions at the same position, each seeing the shared frames before it but not the
        other: batch-doubling without repeating the shared frames, cache or memory.
        render: (B, T, C + 1, H, W), each frame's memory picture latent and coverage share
        (render_input models only; None: nothing covered, as zeros).
        Returns v (B, T, C, H, W) and the per-block temporal (k, v) of these T frames.
        """
        B, T = x.shape[:2]
        cached = 0 if past is None else past[0][0].shape[2]
        if positions is None:
            positions = torch.arange(cached, cached + T, device=x.device)
        h = self.x_embedder(x)                                       # (B, T, N, D)
        if self.render_embedder is not None:
            if render is None:
                render = x.new_zeros(B, T, x.shape[2] + 1, *x.shape[3:])
            h = h + self.render_embedder(render)                     # (B, T, N, D)
        else:
            assert render is None, "this model takes no render (DiTConfig.render_input)"
        c = self.t_embedder(levels) + self.external_cond(actions)   # (B, T, D)
        s_rot = rotation(self.spatial_rotary(*self.cfg.grid))       # angles (N, Dh)
        t_rot = rotation(self.temporal_rotary(positions))           # angles (T, Dh)
        kvs = []
        for i, block in enumerate(self.blocks):
            h, kv = block(h, c, s_rot, t_rot, memory, None if past is None else past[i], frame_mask)
            kvs.append(kv)
        out = self.final_layer(h, c)                                 # (B, T, N, p*p*C)
        return self.unpatchify(out), kvs

    def unpatchify(self, x):                     # (B, T, N, p*p*C) -> (B, T, C, H, W)
        gh, gw = self.cfg.grid
        p = self.cfg.patch
        return rearrange(x, "b t (h w) (p q c) -> b t c (h p) (w q)", h=gh, w=gw, p=p, q=p)

    def compress(self, x0, actions):
        """Memory tokens of clean frames: x0 (B, F, C, H, W), actions (B, F, 25) -> (B, F, K, D)."""
        assert self.memory is not None, "this model has no memory module (memory_frames = 0)"
        B, Fr = x0.shape[:2]
        tokens = self.x_embedder(x0).flatten(0, 1)                  # (B*F, N, D)
        cond = self.external_cond(actions).flatten(0, 1)            # (B*F, D)
        return self.memory(tokens, cond).unflatten(0, (B, Fr))
