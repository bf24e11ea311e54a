"""Choose a checkpoint's recommended sampler settings (playground.dream.tuning) on tuning
seeds that no report uses (1,000,000 + i; the report's seeds start at 1,000,500).

Every (context label, action guidance, guidance min level, guidance on) point of the grid
runs the same short open-loop rollouts and action-following pairs with the default `frame`
sampler; the score is the mean PSNR over the rollouts plus 10 dB times the action-following
rate (1 dB per 10 points), so neither goal is traded away cheaply. Prints a table and the export flags:

    python -m playground.eval.tune --checkpoint runs/dit/model.safetensors
    playground train dit ... --export-only checkpoints/tiny.safetensors \\
        --set sampler.context_label=L --set sampler.action_guidance=W --set sampler.guidance_min_level=M \\
        --set sampler.guidance_on=all|keys
"""
from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
from pathlib import Path

TUNING_OFFSET = -500          # eval_seeds(n, -500): 1,000,000 + i, disjoint from the report's
SCRIPTS = ("still", "walk", "turn_left", "look_around")


def score(psnr: float, follow_rate: float) -> float:
    return psnr + 10.0 * follow_rate


def evaluate(args) -> dict:
    """One grid point: mean PSNR of the rollouts and the action-following rate."""
    checkpoint, label, guidance, min_level, on, seeds, steps = args
    import torch
    torch.set_num_threads(1)
    from playground.dream.settings import SamplerSettings
    from playground.dream.world import DreamConfig, DreamWorld
    from playground.eval.rollouts import action_following, error_accumulation, eval_seeds
    sampler = SamplerSettings.named("frame", {"steps": 2, "context_label": label}, action_guidance=guidance,
                                    guidance_min_level=min_level, guidance_on=on)
    world = DreamWorld(DreamConfig(checkpoint=checkpoint, sampler=sampler))
    acc = error_accumulation(world, eval_seeds(seeds, TUNING_OFFSET), steps=steps, scripts=SCRIPTS, progress=False)
    follow = action_following(world, eval_seeds(seeds, TUNING_OFFSET + 50), progress=False)
    psnr = float(sum(acc["psnr_per_step"]) / len(acc["psnr_per_step"]))
    return {"context_label": label, "action_guidance": guidance, "guidance_min_level": min_level, "guidance_on": on,
            "psnr": round(psnr, 3),
            "follow_rate": follow["rate"], "score": round(score(psnr, follow["rate"]), 3)}


def tune(checkpoint: str | None, labels=(0, 30, 60), guidances=(0.0, 1.0, 2.0), min_levels=(0,),
         seeds: int = 6, steps: int = 32, workers: int = 2, guidance_on=("all",)) -> list[dict]:
    grid = itertools.product(labels, guidances, min_levels, guidance_on)
    # Without guidance its min level and target change nothing: one point per label is enough.
    points = sorted({(lab, g, m if g else 0, on if g else "all") for lab, g, m, on in grid})
    jobs = [(checkpoint, lab, g, m, on, seeds, steps) for lab, g, m, on in points]
    rows = []
    with mp.get_context("spawn").Pool(workers) if workers > 1 else _Inline() as pool:
        for row in pool.imap_unordered(evaluate, jobs):
            rows.append(row)
            print(json.dumps(row), flush=True)
        # Let the workers exit on their own: the Pool's __exit__ terminates them, which
        # leaves a semaphore behind for the resource tracker to warn about.
        pool.close()
        pool.join()
    return sorted(rows, key=lambda r: -r["score"])


class _Inline:
    """A one-process stand-in for a Pool."""
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass

    def join(self):
        pass

    @staticmethod
    def imap_unordered(fn, jobs):
        return map(fn, jobs)


def table(rows: list[dict]) -> str:
    """The grid as a markdown table, best first (also in the model card)."""
    warps = any(r.get("turn_warp_level") for r in rows)   # tables from when a turn warp was tuned
    lines = ["| context label | guidance | guidance min level | guidance on |" + (" turn warp |" if warps else "")
             + " PSNR (dB) | action following | score |",
             "| --- | --- | --- | --- |" + (" --- |" if warps else "") + " --- | --- | --- |"]
    lines += [f"| {r['context_label']} | {r['action_guidance']:g} | {r.get('guidance_min_level', 0)} | "
              f"{r.get('guidance_on', 'all') if r['action_guidance'] else '-'} | "
              + (f"{r.get('turn_warp_level', 0) or 'off'} | " if warps else "")
              + f"{r['psnr']:.2f} | {r['follow_rate']:.0%} | {r['score']:.2f} |" for r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="grid-search the sampler settings a checkpoint recommends")
    p.add_argument("--checkpoint", default=None, help="dream checkpoint (default: the shipped one)")
    p.add_argument("--labels", default="0,30,60", help="context noise levels to try")
    p.add_argument("--guidance", default="0,1,2", help="action guidance weights to try")
    p.add_argument("--min-levels", default="0",
                   help="guidance min levels to try (0: every call; 501: frame-2's first call only)")
    p.add_argument("--guidance-on", default="all", help="what guidance amplifies, to try: all, keys or all,keys")
    p.add_argument("--seeds", type=int, default=6)
    p.add_argument("--steps", type=int, default=32, help="rollout length")
    p.add_argument("--workers", type=int, default=2, help="processes (one CPU thread each)")
    p.add_argument("--out", default=None, help="write the table as JSON here")
    a = p.parse_args(argv)
    rows = tune(a.checkpoint, [int(x) for x in a.labels.split(",")], [float(x) for x in a.guidance.split(",")],
                [int(x) for x in a.min_levels.split(",")], a.seeds, a.steps, a.workers, a.guidance_on.split(","))
    print(table(rows))
    best = rows[0]
    print(f"best: --set sampler.context_label={best['context_label']} "
          f"--set sampler.action_guidance={best['action_guidance']:g} "
          f"--set sampler.guidance_min_level={best['guidance_min_level']} --set sampler.guidance_on={best['guidance_on']}")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps({"rows": rows, "best": best, "seeds": a.seeds, "steps": a.steps}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
