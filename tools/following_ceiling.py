"""Following ceilings (playground/eval/reprojection.py) on any held-out seeds: how often a
dream that redraws the start frame with exact geometry, filling what it never showed
plainly, wins the comparisons of `playground eval`'s action following.

- turns: the start frame turned in place (no depth needed), each fill: turn_left and
  turn_right rates, as the report gives them;
- with `--moving`: every script, walks too, redrawn with the voxel world's own depth
  (`ExactGeometry`): the overall rate and each script's, for the edge fill, sharp and
  blurred by `--blur` pixels.

Compare with a checkpoint's rates on the same seeds (tools/follow_more.py).

    python tools/following_ceiling.py OUT.json [--seeds 16] [--offset 100] [--moving] [--blur 1]

Default seeds are the 16 follow seeds of `playground eval` (offset 100); offset 300 gives
those of tools/follow_more.py."""
import argparse
import json

from playground.eval.report import FULL
from playground.eval.reprojection import following_ceiling, geometry_ceiling
from playground.eval.rollouts import eval_seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="JSON: per fill, the turn scripts' rates and their mean (and --moving's results)")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--offset", type=int, default=100)
    ap.add_argument("--moving", action="store_true", help="also every script, walks too, with the world's depth")
    ap.add_argument("--blur", type=float, default=1.0, help="--moving: also blurred by this sigma (pixels; 0: no)")
    a = ap.parse_args()
    seeds, steps = eval_seeds(a.seeds, a.offset), FULL["follow_steps"]
    out = {"seeds": a.seeds, "offset": a.offset, "ceiling": following_ceiling(seeds, steps, progress=True)}
    for fill, r in out["ceiling"].items():
        print(f"turns, fill {fill}: turn_left {r['turn_left']:.1%}, turn_right {r['turn_right']:.1%}")
    if a.moving:
        out["geometry"] = {}
        for blur in sorted({0.0, a.blur}):
            r = geometry_ceiling(seeds, steps, "edge", blur, progress=True)
            out["geometry"][f"edge, blur {blur:g}"] = r
            print(f"every script, fill edge, blur {blur:g}: {r['rate']:.1%} of {r['comparisons']} ("
                  + ", ".join(f"{k} {v:.1%}" for k, v in r["by_script"].items()) + ")")
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
