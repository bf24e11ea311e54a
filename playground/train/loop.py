"""The training loop shared by the autoencoder and the DiT.

AdamW with warm-up, gradient clipping, bf16 autocast where it is faster, an EMA copy of
the weights, a progress bar with loss and samples/s, periodic samples, and resumable
state (`state.pt`: weights, EMA, optimiser, step, RNG) written atomically every few
minutes, at the end, and on Ctrl-C or SIGTERM (the step in flight finishes, the state is
saved, and training stops: nothing is lost). Multi-process with torchrun: DDP over gloo on CPU, NCCL on CUDA;
rank 0 logs and writes.
"""
from __future__ import annotations

import logging

import copy
import json
import math
import contextlib
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.distributed as dist
from tqdm import tqdm

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 10_000
    batch_size: int = 32          # per process
    lr: float = 1e-3
    min_lr_ratio: float = 0.1     # cosine decay to lr * this
    warmup: int = 200
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    bf16: bool = True             # autocast matmuls/convs to bf16 (CUDA; a CPU with native bf16, else fp32)
    ckpt_minutes: float = 5.0
    sample_every: int = 1000
    max_minutes: float = 0.0      # stop (and save) after this much wall time; 0 = no limit
    stop_after: int = 0           # stop (and save) at this step, keeping the schedule of `steps`; 0 = steps
    seed: int = 0
    threads: int = 0              # torch CPU threads; 0 = leave torch's default


def distributed(device: torch.device = torch.device("cpu")) -> tuple[int, int]:
    """(rank, world size), initialising the process group under torchrun: NCCL when training
    on CUDA (each rank on its LOCAL_RANK GPU), gloo on the CPU, whatever else the machine has."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    return (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)


def is_main() -> bool:
    """True on rank 0 (or without torchrun): the process that writes files."""
    return not dist.is_initialized() or dist.get_rank() == 0


def lr_at(step: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    p = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * p)))


@contextlib.contextmanager
def stop_requests():
    """Turns SIGINT / SIGTERM into a request the loop reads between steps (a list that
    becomes non-empty), so an interrupted run saves its state before it exits. Outside
    the main thread signals cannot be caught; the request then never comes."""
    requested: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield requested
        return
    old = {sig: signal.signal(sig, lambda signum, frame: requested.append(signum))
           for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield requested
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _bf16_here(asked: bool, device: torch.device, desc: str) -> bool:
    """bf16 autocast as asked, except on a CPU that only emulates bf16 (several times
    slower than fp32 there, see device.native_bf16_cpu): fp32, said once in the log."""
    from playground.device import native_bf16_cpu
    if asked and device.type == "cpu" and not native_bf16_cpu():
        logger.warning(f"[{desc}] this CPU has no native bf16 (AVX-512 BF16 or AMX): training in fp32")
        return False
    return asked


def _optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """AdamW with weight decay on matrices only (not on biases, norms and embeddings' scales)."""
    decay, no_decay = [], []
    for _, p in model.named_parameters():
        (decay if p.ndim >= 2 else no_decay).append(p)
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.99))


def _resume(state_path: Path, model, ema, opt, rng: np.random.Generator, rank: int, device, desc: str) -> int:
    """Load a run's saved state if there is one; the step it reached (0 for a new run)."""
    if not state_path.exists():
        return 0
    st = torch.load(state_path, map_location=device, weights_only=False)
    model.load_state_dict(st["model"])
    ema.load_state_dict(st["ema"])
    opt.load_state_dict(st["opt"])
    rng.bit_generator.state = st["rng"][rank] if rank < len(st["rng"]) else rng.bit_generator.state
    if rank == 0:
        logger.info(f"[{desc}] resumed from {state_path} at step {st['step']}")
    return st["step"]


def _save(state_path: Path, model, ema, opt, step: int, rng, rank: int, world: int, cfg: TrainConfig) -> None:
    """Every rank's random state, gathered; rank 0 writes the run's state atomically."""
    rngs = [None] * world
    if world > 1:
        dist.all_gather_object(rngs, rng.bit_generator.state)
    else:
        rngs = [rng.bit_generator.state]
    if rank == 0:
        tmp = state_path.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                    "step": step, "rng": rngs, "config": asdict(cfg)}, tmp)
        os.replace(tmp, state_path)


def _update(net, model, ema, opt, loss_fn, batch, cfg: TrainConfig, step: int, autocast):
    """One optimiser step and the EMA's; (loss, logs, gradient norm)."""
    for g in opt.param_groups:
        g["lr"] = lr_at(step, cfg)
    with autocast:
        loss, logs = loss_fn(net, batch)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
    opt.step()
    with torch.no_grad():
        d = min(cfg.ema_decay, (1 + step) / (10 + step))
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.lerp_(pm.detach(), 1 - d)
        for be, bm in zip(ema.buffers(), model.buffers()):
            be.copy_(bm)
    return loss, logs, gnorm


def _decide(due: bool, timed_out: bool, interrupted: bool, world: int, device) -> torch.Tensor:
    """(save, timed out, interrupted), agreed by every rank: each must take part in a save."""
    flags = torch.tensor([int(due), int(timed_out), int(interrupted)], device=device)  # NCCL reduces CUDA tensors
    if world > 1:
        dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    return flags


def fit(model: torch.nn.Module, loss_fn: Callable[[torch.nn.Module, Any], tuple[torch.Tensor, dict]],
        batch_fn: Callable[[np.random.Generator, int], Any], cfg: TrainConfig, out: str | Path,
        device: torch.device, sample_fn: Callable[[torch.nn.Module, int, Path], None] | None = None,
        desc: str = "train", progress: bool = True,
        on_ema: Callable[[torch.nn.Module], None] | None = None) -> torch.nn.Module:
    """Train `model` in place; returns the EMA copy. `batch_fn(rng, step)` makes a batch on
    `device`; `loss_fn(model, batch)` returns (loss, {name: float}); on_ema(ema) is given the
    EMA copy (resumed, on `device`) before the first step, for a loss that uses it."""
    rank, world = distributed(device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.to(device)
    ema = copy.deepcopy(model).eval().requires_grad_(False)
    opt = _optimizer(model, cfg)
    rng = np.random.default_rng(cfg.seed + 1000 * rank)
    state_path = out / "state.pt"
    step = _resume(state_path, model, ema, opt, rng, rank, device, desc)
    if on_ema:
        on_ema(ema)
    # Unused parameters happen: the memory module trains only on some batches.
    net = torch.nn.parallel.DistributedDataParallel(model, find_unused_parameters=True) if world > 1 else model
    t_start = last_ckpt = time.time()
    bar = tqdm(total=cfg.steps, initial=step, desc=desc, disable=not progress or rank != 0, dynamic_ncols=True)
    log = open(out / "log.jsonl", "a") if rank == 0 else None
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=_bf16_here(cfg.bf16, device, desc))
    last = min(cfg.steps, cfg.stop_after) if cfg.stop_after else cfg.steps
    with stop_requests() as stop:
        while step < last:
            t0 = time.time()
            loss, logs, gnorm = _update(net, model, ema, opt, loss_fn, batch_fn(rng, step), cfg, step, autocast)
            step += 1
            rate = cfg.batch_size * world / max(1e-9, time.time() - t0)
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.4f}", sps=f"{rate:.0f}")
            timed_out = bool(cfg.max_minutes) and time.time() - t_start > cfg.max_minutes * 60
            interrupted = bool(stop)
            if log and (step % 25 == 0 or step == 1 or step == last or timed_out or interrupted):   # a final row
                log.write(json.dumps({"step": step, "loss": loss.item(), "grad_norm": float(gnorm),
                                      "lr": lr_at(step, cfg), "samples_per_s": rate,
                                      "elapsed_s": time.time() - t_start, **logs}) + "\n")
                log.flush()
            if sample_fn and rank == 0 and step % cfg.sample_every == 0:
                sample_fn(ema, step, out)
            flags = _decide(time.time() - last_ckpt > cfg.ckpt_minutes * 60 or step == last, timed_out,
                            interrupted, world, device)
            if flags.any():
                _save(state_path, model, ema, opt, step, rng, rank, world, cfg)
                last_ckpt = time.time()
            if flags[1] or flags[2]:
                if rank == 0:
                    why = f"after {cfg.max_minutes} minutes" if flags[1] else "on request (signal)"
                    logger.warning(f"[{desc}] stopping {why} at step {step}; state saved to {state_path}")
                break
    bar.close()
    if log:
        log.close()
    return ema
