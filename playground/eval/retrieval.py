"""Memory retrieval (Meta-ARVDM Table 1, adapted): look at a place, go away for a gap of g
ticks (turn away, stand, walk off and back), return to the same pose, and compare the
dream's frame at the return with the voxel world's there. Success: SSIM >= threshold.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from playground import actions as A
from playground.eval.metrics import ssim
from playground.eval.rollouts import paired

GAP_BUCKETS = ((1, 16), (17, 48), (49, 112))
# Threshold: Figure 13 of the paper calls SSIM >= 0.7 "high" similarity (same scene, small
# differences) and < 0.4 "low". Our examples (retrieval_examples.png) show the same.
SSIM_THRESHOLD = 0.7


def return_trip(gap: int) -> list[np.ndarray]:
    """Actions that leave the start view for `gap` ticks and come back to the same pose."""
    turn = lambda d, n: [A.make(yaw=d)] * n  # noqa: E731  (10 degrees a tick)
    if gap <= 36:
        n = gap // 2                              # turn up to 180 degrees away and back
        return turn(1.0, n) + turn(-1.0, gap - n)
    if gap <= 48:                                 # face away, wait, turn on round
        return turn(1.0, 18) + [A.zero()] * (gap - 36) + turn(1.0, 18)
    k = (gap - 36) // 2                           # walk off and back
    walk = [A.make({"forward"})] * k
    return turn(1.0, 18) + walk + turn(1.0, 18) + walk + [A.zero()] * (gap - 36 - 2 * k)


def retrieval(dream, seeds, trials_per_bucket: int = 8, threshold: float = SSIM_THRESHOLD,
              progress: bool = True, desc: str = "retrieval") -> dict:
    """Success rate per gap bucket. Each trial: look for 4 ticks, then a return trip."""
    from playground.voxel import VoxelWorld
    truth = VoxelWorld()
    rng = np.random.default_rng(0)
    out, examples = {}, []
    jobs = [(b, i) for b in GAP_BUCKETS for i in range(trials_per_bucket)]
    scores = {b: [] for b in GAP_BUCKETS}
    for (lo, hi), i in tqdm(jobs, desc=desc, disable=not progress):
        gap = int(rng.integers(lo, hi + 1))
        seed = seeds[i % len(seeds)]
        acts = [A.zero()] * 4 + return_trip(gap)
        d, t = paired(dream, truth, seed, acts)
        s = float(ssim(d[-1], t[-1]))
        scores[(lo, hi)].append(s)
        examples.append({"gap": gap, "seed": int(seed), "ssim": s, "dream": d[-1], "truth": t[-1],
                         "start": t[4]})
    for (lo, hi), ss in scores.items():
        key = f"{lo - 1 if lo > 1 else 0}-{hi}"
        out[key] = {"rate": float(np.mean([x >= threshold for x in ss])), "mean_ssim": float(np.mean(ss)),
                    "trials": len(ss)}
    return {"buckets": out, "threshold": threshold, "examples": examples}
