"""Choose the turn warp level (playground/dream/turn_warp.py) on tuning seeds no report uses:
for each level, PSNR per step bucket over open-loop rollouts of every eval script and the
action-following rate, with the checkpoint's other recommended settings.

    python tools/turn_warp_levels.py CHECKPOINT OUT.json [--levels 0,250,350] [--rollout-seeds 8]
        [--follow-seeds 32]

Rollouts start at world seed 1,000,000 (offset -500), following at 1,000,050 (offset -450):
the seeds of `python -m playground.eval.tune`, disjoint from the report's. One CPU thread per
level, levels in parallel processes (--workers)."""
import argparse
import json
import multiprocessing as mp

import torch

from playground.eval.report import FULL, eval_dream
from playground.eval.rollouts import action_following, error_accumulation, eval_seeds
from playground.eval.tune import TUNING_OFFSET


def measure(job) -> dict:
    checkpoint, level, rollout_seeds, follow_seeds = job
    torch.set_num_threads(1)
    from playground.dream.load import load_dream
    world = eval_dream(load_dream(checkpoint), max(FULL["memory_sizes"]), turn_warp=level)
    acc = error_accumulation(world, eval_seeds(rollout_seeds, TUNING_OFFSET), steps=FULL["steps"], progress=False)
    follow = action_following(world, eval_seeds(follow_seeds, TUNING_OFFSET + 50), steps=FULL["follow_steps"],
                              progress=False)
    row = {"turn_warp_level": level, "psnr": {k: round(v["psnr"], 2) for k, v in acc["buckets"].items()},
           "psnr_by_script": {k: round(v, 2) for k, v in acc["by_script"].items()},
           "following": follow["rate"], "comparisons": follow["comparisons"], "following_by_script": follow["by_script"]}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out", help="JSON: one row per level")
    ap.add_argument("--levels", default="0,250,350", help="turn warp levels (0: off)")
    ap.add_argument("--rollout-seeds", type=int, default=8)
    ap.add_argument("--follow-seeds", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    jobs = [(a.checkpoint, int(level), a.rollout_seeds, a.follow_seeds) for level in a.levels.split(",")]
    with mp.get_context("spawn").Pool(a.workers) as pool:
        rows = pool.map(measure, jobs)
    with open(a.out, "w") as f:
        json.dump(rows, f, indent=1)
    for r in rows:
        print(f"level {r['turn_warp_level']}: PSNR {r['psnr']}, following {r['following']:.1%} of {r['comparisons']}")


if __name__ == "__main__":
    main()
