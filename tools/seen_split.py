"""Where a checkpoint's turns lose `playground eval`'s action-following comparisons
(playground/eval/seen_split.py): its turn rates as dreamed, with the pixels the start frame
shows made exact, and with the ground it never showed filled by the ceiling's edge fill; and
how far it turns per tick over the first 8 steps (the best-matching exact turn of the start frame).

    python tools/seen_split.py CHECKPOINT OUT.json [--seeds 32] [--offset 300]

Seeds are eval_seeds(n, offset), as in tools/follow_more.py (offset 300: its first 32 seeds,
offset 332 the next 32). One CPU thread, so two halves can run side by side on two cores."""
import argparse
import json

import torch

from playground.dream.load import load_dream
from playground.eval.report import FULL, eval_dream
from playground.eval.rollouts import eval_seeds
from playground.eval.seen_split import RememberedDream, effective_turn, seen_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out", help="JSON: per part (dream, seen, unseen), the turn scripts' rates and their mean")
    ap.add_argument("--seeds", type=int, default=32)
    ap.add_argument("--offset", type=int, default=300)
    ap.add_argument("--no-world-memory", dest="world_memory", action="store_false",
                    help="the network alone, without the world memory")
    a = ap.parse_args()
    torch.set_num_threads(1)
    dream = RememberedDream(eval_dream(load_dream(a.checkpoint), max(FULL["memory_sizes"]), world_memory=a.world_memory))
    seeds = eval_seeds(a.seeds, a.offset)
    result = seen_split(dream, seeds, FULL["follow_steps"], progress=True)
    turn = effective_turn(dream, seeds)          # the split's rollouts, remembered: no dreaming
    with open(a.out, "w") as f:
        json.dump({"checkpoint": a.checkpoint, "seeds": a.seeds, "offset": a.offset, "split": result,
                   "effective_turn": turn}, f, indent=1)
    for part, r in result.items():
        print(f"{part}: turn_left {r['turn_left']:.1%}, turn_right {r['turn_right']:.1%}")
    print(f"turns {turn['per_tick']:.2f} degrees a tick (the world {turn['world_per_tick']:.2f}); median angle per step "
          + "; ".join(f"{k} {', '.join(f'{x:g}' for x in v)}" for k, v in turn["angles"].items()))


if __name__ == "__main__":
    main()
