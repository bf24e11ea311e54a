"""Where a checkpoint's turns lose `playground eval`'s action-following comparisons
(playground/eval/seen_split.py): its turn rates as dreamed, with the pixels the start frame
shows made exact, and with the ground it never showed filled by the ceiling's edge fill.

    python tools/seen_split.py CHECKPOINT OUT.json [--seeds 32] [--offset 300]

Seeds are eval_seeds(n, offset), as in tools/follow_more.py (offset 300: its first 32 seeds,
offset 332 the next 32). One CPU thread, so two halves can run side by side on two cores."""
import argparse
import json

import torch

from playground.dream.load import load_dream
from playground.eval.report import FULL, eval_dream
from playground.eval.rollouts import eval_seeds
from playground.eval.seen_split import seen_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out", help="JSON: per part (dream, seen, unseen), the turn scripts' rates and their mean")
    ap.add_argument("--seeds", type=int, default=32)
    ap.add_argument("--offset", type=int, default=300)
    a = ap.parse_args()
    torch.set_num_threads(1)
    dream = eval_dream(load_dream(a.checkpoint), max(FULL["memory_sizes"]))
    result = seen_split(dream, eval_seeds(a.seeds, a.offset), FULL["follow_steps"], progress=True)
    with open(a.out, "w") as f:
        json.dump({"checkpoint": a.checkpoint, "seeds": a.seeds, "offset": a.offset, "split": result}, f, indent=1)
    for part, r in result.items():
        print(f"{part}: turn_left {r['turn_left']:.1%}, turn_right {r['turn_right']:.1%}")


if __name__ == "__main__":
    main()
