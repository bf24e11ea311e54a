"""Where a loop's revisit is lost: in the world memory's picture, or in the network's pass
over it. Loop-closure trials depart from the world's own frame (loops.plan with lead False)
on tuning seeds no report uses (the loops of tools/world_memory_levels.py, from 1,000,200);
for each trial, SSIM of

- the memory's render at the departure pose once the first frame is learned, to that frame;
- the world's view at the return to its view at the departure (the world returns within
  loops.POSE_TOLERANCE blocks, not always exactly);
- the memory's render at the return to the world's view there, and the share of that render
  drawn "sure" (Drawn.sure: the sky map or one-pixel points);
- the dream's frame at the return to the world's view (the revisit) and to the render.

    python tools/loop_returns.py [--loops-per-bucket 3] [--set memory_sure_level=60[,NAME=VALUE...] ...]
        [--checkpoint CKPT]

Each --set runs the trials again with those sampler settings changed (the first run keeps
the checkpoint's settings)."""
import argparse

import numpy as np

from playground.config import ConfigError
from playground.dream.load import load_dream
from playground.eval import loops as L
from playground.eval.batched import dream_rollouts, world_rollouts
from playground.eval.metrics import ssim
from playground.eval.report import FULL, eval_dream, sampler_change_groups
from playground.eval.rollouts import eval_seeds
from playground.eval.tune import TUNING_OFFSET


def memory_picture(dream, hw) -> tuple[np.ndarray, float]:
    """The world memory's render (H, W, 3) uint8 at the pose of row 0 now, and its sure share."""
    warp = dream.session.hooks[0]
    p = warp.tracker.pose(0)
    views, _, drawn = warp.memory.render_rows([0], [p.eye], [p.yaw], [p.pitch], hw, None)
    return views[0], float(drawn.sure[0].mean())


def trial_row(dream, t: dict) -> dict:
    hw = t["truth"].shape[1:3]
    dream.begin(t["truth"][:1], np.array([t["pitch"]]), seed=0)
    at_departure, _ = memory_picture(dream, hw)
    frames = dream_rollouts(dream, t["truth"][:1], np.array([t["pitch"]]), t["actions"])[0]
    at_return, sure = memory_picture(dream, hw)
    back = t["truth"][-1]
    return {"render_departure": ssim(at_departure, t["truth"][0]), "world_return": ssim(back, t["truth"][0]),
            "render_return": ssim(at_return, back), "sure": sure, "dream_return": ssim(frames[-1], back),
            "dream_render": ssim(frames[-1], at_return)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loops-per-bucket", type=int, default=3)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="sampler settings changed for another run of the same trials, comma-separated "
                         "(repeatable: one run each)")
    ap.add_argument("--checkpoint", default=None)
    a = ap.parse_args(argv)
    if a.loops_per_bucket < 1:
        ap.error("--loops-per-bucket must be at least 1")
    try:
        runs = {"checkpoint's settings": {}, **sampler_change_groups(a.set)}
    except ConfigError as e:
        ap.error(str(e))
    models = load_dream(a.checkpoint)
    trials = L.plan(eval_seeds(3 * a.loops_per_bucket, TUNING_OFFSET + 200), a.loops_per_bucket,
                    lambda s, acts: world_rollouts(s, acts), lead=False)
    keys = ("render_departure", "world_return", "render_return", "sure", "dream_return", "dream_render")
    for name, changes in runs.items():
        dream = eval_dream(models, max(FULL["memory_sizes"]), changes=changes)
        print(f"\n{name}\n| gap bucket | loop | gap | " + " | ".join(keys) + " |\n|" + "---|" * (3 + len(keys)))
        rows = []
        for t in trials:
            rows.append(trial_row(dream, t))
            print(f"| {t['bucket']} | {t['loop']} | {t['gap']} | "
                  + " | ".join(f"{rows[-1][k]:.3f}" for k in keys) + " |", flush=True)
        print("| mean | | | " + " | ".join(f"{np.mean([r[k] for r in rows]):.3f}" for k in keys) + " |")
        print(f"revisits (dream at the return >= {L.THRESHOLD} against the world): "
              f"{sum(r['dream_return'] >= L.THRESHOLD for r in rows)} of {len(rows)}; "
              f"renders at the return that would pass: {sum(r['render_return'] >= L.THRESHOLD for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
