"""The report's pictures: free play over time and as frames, loop-closure examples, PSNR
per step, and retrieval against error accumulation (cf. Meta-ARVDM Fig. 9)."""
from __future__ import annotations

from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from playground.eval import paper  # noqa: E402

FREE_PLAY_PANELS = (("sharpness", "sharpness, dream / world"), ("smeared", "share of smeared frames"),
                    ("change", "change over 0.5 s, dream / world"), ("psnr", "PSNR vs world (dB)"))


def decay(buckets: dict) -> float:
    """PSNR of the first bucket minus the last's (dB)."""
    keys = list(buckets)
    return buckets[keys[0]]["psnr"] - buckets[keys[-1]]["psnr"]


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def free_play(series: dict, path: Path) -> None:
    fig, axes = plt.subplots(1, 4, figsize=(13, 3))
    for ax, (key, label) in zip(axes, FREE_PLAY_PANELS):
        for name, s in series.items():
            ax.plot(np.array(s["end_tick"]) / 20, s[key], marker="o", ms=3, label=name)
        ax.set_xlabel("seconds of play (window end)")
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    _save(fig, path)


def film(frames: dict, path: Path, title: str) -> None:
    """Rows of frames (name -> (n, H, W, 3)), one row per source."""
    names = list(frames)
    n = len(next(iter(frames.values())))
    fig, axes = plt.subplots(len(names), n, figsize=(1.3 * n, 1.4 * len(names)), squeeze=False)
    for i, name in enumerate(names):
        for j in range(n):
            axes[i, j].imshow(frames[name][j])
            axes[i, j].set_xticks([]), axes[i, j].set_yticks([])
        axes[i, 0].set_ylabel(name, fontsize=7)
    fig.suptitle(title, fontsize=9)
    _save(fig, path)


def psnr_per_step(report: dict, path: Path) -> None:
    ea = report["error_accumulation"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for m, per_step in ea["psnr_per_step_by_memory"].items():
        ax.plot(range(1, len(per_step) + 1), per_step, label=f"shipped, memory {m} frames")
    alone = report["network_alone"]["error_accumulation"]["psnr_per_step"]
    ax.plot(range(1, len(alone) + 1), alone, ls="--", label="network alone")
    ax.set_xlabel("rollout step (ticks)")
    ax.set_ylabel("PSNR vs voxel world (dB)")
    ax.set_title("Error accumulation, open loop")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    _save(fig, path)


def pareto(report: dict, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for m, buckets in report["error_accumulation"]["by_memory_frames"].items():
        rate = np.mean([b["rate"] for b in report["retrieval"]["by_memory_frames"].get(m, {"buckets": {}})
                        ["buckets"].values()] or [np.nan])
        ax.scatter(rate, decay(buckets), s=50)
        ax.annotate(f"ours, memory {m}", (rate, decay(buckets)), textcoords="offset points", xytext=(5, 5))
    ax.axhline(paper.MINECRAFT_DECAY_DB, ls="--", color="gray")
    ax.annotate(f"paper, Minecraft decay (budget 8): {paper.MINECRAFT_DECAY_DB} dB", (0.02, paper.MINECRAFT_DECAY_DB),
                xycoords=("axes fraction", "data"), textcoords="offset points", xytext=(0, 4), fontsize=7)
    ax.set_xlabel("average retrieval rate")
    ax.set_ylabel("PSNR decay, steps 1-16 to 49-64 (dB)")
    ax.set_title("Retrieval vs error accumulation (cf. Meta-ARVDM Fig. 9)", fontsize=9)
    ax.grid(alpha=0.3)
    _save(fig, path)


def plots(report: dict, free_play_frames: dict, loop_frames: dict, out: Path) -> None:
    free_play(report["free_play"]["series"], out / "free_play.png")
    film(free_play_frames, out / "free_play_frames.png", "A minute of free play, first seed, every 10 s")
    film(loop_frames, out / "loop_examples.png", "Loop closure: the departure, then the return (SSIM >= 0.7 passes)")
    psnr_per_step(report, out / "psnr_per_step.png")
    pareto(report, out / "pareto.png")
