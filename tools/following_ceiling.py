"""The turn-following ceiling (playground/eval/reprojection.py) on any held-out seeds: how
often a dream that turns with exact geometry, filling the unseen ground plainly, wins the
comparisons of `playground eval`'s action following for turn_left and turn_right. Compare
with a checkpoint's "by the dream's script" rates on the same seeds (tools/follow_more.py).

    python tools/following_ceiling.py OUT.json [--seeds 16] [--offset 100]

Default seeds are the 16 follow seeds of `playground eval` (offset 100); offset 300 gives
those of tools/follow_more.py."""
import argparse
import json

from playground.eval.report import FULL
from playground.eval.reprojection import following_ceiling
from playground.eval.rollouts import eval_seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="JSON: per fill, the turn scripts' rates and their mean")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--offset", type=int, default=100)
    a = ap.parse_args()
    result = following_ceiling(eval_seeds(a.seeds, a.offset), FULL["follow_steps"], progress=True)
    with open(a.out, "w") as f:
        json.dump({"seeds": a.seeds, "offset": a.offset, "ceiling": result}, f, indent=1)
    for fill, r in result.items():
        print(f"fill {fill}: turn_left {r['turn_left']:.1%}, turn_right {r['turn_right']:.1%}")


if __name__ == "__main__":
    main()
