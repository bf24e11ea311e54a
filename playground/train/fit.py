"""The small networks' training loop (the IDM, the depth network): AdamW with a one-cycle
schedule (10% warm-up), one batch loss a step, a progress bar."""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from tqdm import tqdm


def fit(net: torch.nn.Module, batch_loss: Callable[[np.random.Generator, torch.Generator], torch.Tensor],
        steps: int, lr: float, weight_decay: float, seed: int, desc: str, progress: bool = True) -> None:
    """Train `net` for `steps` batches of `batch_loss(rng, gen)` (both seeded with `seed`),
    then leave it in eval mode."""
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps, pct_start=0.1)
    rng, gen = np.random.default_rng(seed), torch.Generator().manual_seed(seed)
    bar = tqdm(range(steps), desc=desc, disable=not progress)
    for _ in bar:
        loss = batch_loss(rng, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        bar.set_postfix(loss=f"{loss.item():.3f}")
    net.eval()
