"""Action guidance: v = v(a) + w * (v(a) - v(reference)) on the frames being generated,
like classifier-free guidance with a reference action in place of the empty prompt.

One DiT call computes both: the guided frames' copies with the reference action join the
same sequence at the same positions, each seeing the shared frames before it but not the
conditional frames (DiT frame_mask). That is what running the batch twice computes,
without repeating the shared frames, the k/v cache or the memory. Used by the streaming
session and by training on dreamed context, so both guide the same way.
"""
from __future__ import annotations

import torch

from playground import actions as A

_CAMERA = list(A.CAMERA)   # index list: A.CAMERA is a tuple, which would index two dims


def reference_actions(actions: torch.Tensor, guidance_on: str) -> torch.Tensor:
    """The actions guidance steps away from (..., 25): none, or only the camera of `actions`
    (guidance_on "keys")."""
    ref = torch.zeros_like(actions)
    if guidance_on == "keys":
        ref[..., _CAMERA] = actions[..., _CAMERA]
    return ref


def guidance_mask(T: int, first: int, device) -> torch.Tensor:
    """Temporal visibility (T + g, T + g) for T frames followed by unconditional copies of
    the last g = T - first: causal among the T; each copy sees the shared frames before
    `first` and the copies up to itself, never the conditional frames."""
    g = T - first
    mask = torch.zeros(T + g, T + g, dtype=torch.bool, device=device)
    mask[:T, :T] = torch.ones(T, T, dtype=torch.bool, device=device).tril()
    mask[T:, :first] = True
    mask[T:, T:] = torch.ones(g, g, dtype=torch.bool, device=device).tril()
    return mask


def guided_forward(forward, x, levels, actions, positions, memory=None, past=None, guide_from: int | None = None,
                   weight: float = 0.0, guidance_on: str = "all", frame_inputs: dict | None = None):
    """forward(x (B, T, C, h, w), levels (B, T), actions (B, T, 25), positions (T,), ...)
    -> (v float (B, T, C, h, w), k/v of the T frames), frames x[:, guide_from:] guided with
    `weight` (no guidance when it is 0 or guide_from is None or T). frame_inputs: further
    per-frame inputs of forward, name -> (B, T, ...) (the guided copies get theirs too)."""
    frame_inputs = dict(frame_inputs or {})
    T = x.shape[1]
    guided = bool(weight) and guide_from is not None and guide_from < T
    frame_mask = None
    if guided:
        x = torch.cat([x, x[:, guide_from:]], 1)
        levels = torch.cat([levels, levels[:, guide_from:]], 1)
        actions = torch.cat([actions, reference_actions(actions[:, guide_from:], guidance_on)], 1)
        positions = torch.cat([positions, positions[guide_from:]])
        frame_inputs = {k: torch.cat([t, t[:, guide_from:]], 1) for k, t in frame_inputs.items()}
        frame_mask = guidance_mask(T, guide_from, x.device)
    v, kv = forward(x, levels, actions, positions=positions, memory=memory, past=past, frame_mask=frame_mask,
                    **frame_inputs)
    v = v.float()
    if guided:
        kv = [(k[:, :, :T], vv[:, :, :T]) for k, vv in kv]
        cond, null = v[:, guide_from:T], v[:, T:]
        v = torch.cat([v[:, :guide_from], cond + weight * (cond - null)], 1)
    return v, kv
