"""Action following on more held-out seeds than `playground eval` uses, to tell two
checkpoints apart when their eval rates differ by a few comparisons (16 seeds give 128
comparisons: one standard error is about 3.6 points).

    python tools/follow_more.py CHECKPOINT OUT.json [--seeds 64] [--offset 300] [--denoise-steps 2]
                                [--turn-warp LEVEL]

Seeds are eval_seeds(n, offset): held out, and offset 300 avoids the 16 follow seeds of
`playground eval` (offset 100) and its retrieval seeds (offset 200). One CPU thread, so
two checkpoints can run side by side on two cores."""
import argparse
import json

import torch

from playground.dream.load import load_dream
from playground.eval.report import FULL, eval_dream
from playground.eval.rollouts import action_following, eval_seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out", help="JSON: rate, comparisons, by_script, by_pair, response")
    ap.add_argument("--seeds", type=int, default=64)
    ap.add_argument("--offset", type=int, default=300)
    ap.add_argument("--memory-frames", type=int, default=max(FULL["memory_sizes"]),
                    help="default: as `playground eval`")
    ap.add_argument("--denoise-steps", type=int, default=2,
                    help="denoising calls per frame of the `frame` sampler (default 2: frame-2, as `playground eval`)")
    ap.add_argument("--no-world-memory", dest="world_memory", action="store_false",
                    help="the network alone, without the world memory")
    a = ap.parse_args()
    torch.set_num_threads(1)
    dream = eval_dream(load_dream(a.checkpoint), a.memory_frames, schedule=("frame", {"steps": a.denoise_steps}),
                       world_memory=a.world_memory)
    result = action_following(dream, eval_seeds(a.seeds, a.offset),
                              steps=FULL["follow_steps"])
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1, default=str)
    print(f"{a.checkpoint}: {result['rate']:.1%} of {result['comparisons']} comparisons; by pair {result['by_pair']}")


if __name__ == "__main__":
    main()
