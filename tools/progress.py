"""How far the dream gets along a fixed script: for each dream frame of the script (default
`walk`, plain W held; `turn_left`/`turn_right` turn 5 degrees a tick), the step of the
world's own rollout of it that the frame looks most like (lowest MSE among world steps
0..2N). A dream that keeps the world's pace matches step t at step t; one that stalls keeps
matching the same early step, one that turns too slowly matches t/2 where it turned half
as far. Also per seed: how far the player really walked, and whether the dream's rollouts
of the script and of `--against` (default `still`) win their action-following comparison.

    python tools/progress.py CHECKPOINT OUT.json [--script walk] [--against still] [--seeds 16]
        [--offset 100] [--steps 16] [--memory-frames 8]

Default seeds are the 16 follow seeds of `playground eval` (offset 100); offset 300 gives
those of tools/follow_more.py. One CPU thread, so two checkpoints can run side by side."""
import argparse
import json

import numpy as np
import torch

from playground.dream.load import load_dream
from playground.eval.report import FULL, eval_dream
from playground.eval.rollouts import eval_seeds, rollout
from playground.policies import FIXED, script
from playground.voxel import VoxelWorld


def frames(world, seed: int, name: str, steps: int) -> np.ndarray:
    """(1 + steps, H, W, 3) float64 frames of a fixed script from reset(seed)."""
    return rollout(world, seed, script(name, np.random.default_rng(seed), steps)).astype(np.float64)


def mse(a, b) -> float:
    return float(((a - b) ** 2).mean())


def one_seed(dream, truth: VoxelWorld, seed: int, steps: int, name: str = "walk", against: str = "still") -> dict:
    truth_a = frames(truth, seed, name, 2 * steps)            # twice as far: a dream may overshoot
    end = np.array(truth.info()["position"])
    truth.reset(seed)
    walked = float(np.linalg.norm((end - np.array(truth.info()["position"]))[[0, 2]]))
    truth_b = frames(truth, seed, against, steps)[1:]
    dream_a, dream_b = frames(dream, seed, name, steps), frames(dream, seed, against, steps)[1:]
    ta = truth_a[1:steps + 1]
    matched = [int(np.argmin([mse(dream_a[t], f) for f in truth_a])) for t in range(1, steps + 1)]
    return {"seed": seed, "world_walked_m": walked,
            "matched_step": matched,
            "wins": mse(dream_a[1:], ta) < mse(dream_a[1:], truth_b),
            "against_wins": mse(dream_b, truth_b) < mse(dream_b, ta),
            "gap_ratio": mse(dream_a[1:], dream_b) / max(mse(ta, truth_b), 1e-9)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out", help="JSON: per-seed rows and the summary")
    ap.add_argument("--script", default="walk", choices=sorted(FIXED), help="the script followed (default: walk)")
    ap.add_argument("--against", default="still", choices=sorted(FIXED),
                    help="the other script of the action-following comparison (default: still)")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--offset", type=int, default=100)
    ap.add_argument("--steps", type=int, default=FULL["follow_steps"])
    ap.add_argument("--memory-frames", type=int, default=max(FULL["memory_sizes"]),
                    help="memory bank size in frames, 0 = off (default: the eval's largest)")
    a = ap.parse_args()
    if a.script == a.against:
        ap.error("--script and --against must differ")
    torch.set_num_threads(1)
    dream = eval_dream(load_dream(a.checkpoint), a.memory_frames)
    truth = VoxelWorld()
    rows = [one_seed(dream, truth, s, a.steps, a.script, a.against) for s in eval_seeds(a.seeds, a.offset)]
    matched = np.array([r["matched_step"] for r in rows], float)
    summary = {"checkpoint": a.checkpoint, "script": a.script, "against": a.against, "seeds": len(rows),
               "memory_frames": a.memory_frames, "matched_step_by_step": matched.mean(0).round(2).tolist(),
               "wins": float(np.mean([r["wins"] for r in rows])),
               "against_wins": float(np.mean([r["against_wins"] for r in rows])),
               "gap_ratio_median": float(np.median([r["gap_ratio"] for r in rows]))}
    with open(a.out, "w") as f:
        json.dump({"summary": summary, "rows": rows}, f, indent=1)
    print(f"{a.checkpoint}: {a.script} wins {summary['wins']:.0%}, {a.against} wins {summary['against_wins']:.0%}, "
          f"median gap ratio {summary['gap_ratio_median']:.2f}")
    print("world step the dream matches, by dream step 1..N:", " ".join(f"{x:.1f}" for x in matched.mean(0)))


if __name__ == "__main__":
    main()
