"""Open-loop rollouts: the dream and the voxel world stepped with the same actions from the
same seed, compared frame by frame (error accumulation), and action following."""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from playground.eval.metrics import mean_ci, psnr, ssim
from playground.policies import script
from playground.train.datagen import EVAL_SEED_BASE
from playground.voxel import VoxelWorld

SCRIPTS = ("walk", "turn_left", "turn_right", "look_around", "still", "explore")
BUCKETS = ((1, 16), (17, 32), (33, 48), (49, 64))


def rollout(world, seed: int, actions) -> np.ndarray:
    """Frames (1 + len(actions), H, W, 3) of `world` from reset(seed)."""
    frames = [world.reset(seed)]
    frames += [world.step(a) for a in actions]
    return np.stack(frames)


def paired(dream, truth: VoxelWorld, seed: int, actions):
    return rollout(dream, seed, actions), rollout(truth, seed, actions)


def error_accumulation(dream, seeds, steps: int = 64, scripts=SCRIPTS, progress=True) -> dict:
    """PSNR/SSIM of dream vs truth per step (steps 1..steps), per script and per bucket."""
    truth = VoxelWorld()
    jobs = [(s, name) for s in seeds for name in scripts]
    pairs = [paired(dream, truth, seed, script(name, np.random.default_rng(seed), steps))
             for seed, name in tqdm(jobs, desc="rollouts", disable=not progress)]
    return accumulation(np.stack([d for d, _ in pairs]), np.stack([t for _, t in pairs]), jobs)


def accumulation_jobs(seeds, scripts=SCRIPTS, steps: int = 64):
    """The (seed, script) rollouts of error_accumulation and their actions (N, steps, 25)."""
    jobs = [(s, name) for s in seeds for name in scripts]
    return jobs, np.stack([np.stack(script(name, np.random.default_rng(seed), steps)) for seed, name in jobs])


def accumulation(dream: np.ndarray, truth: np.ndarray, jobs) -> dict:
    """Scores of rollouts (N, steps+1, H, W, 3) of the (seed, script) jobs against the truth's."""
    P, Q = psnr(dream[:, 1:], truth[:, 1:]), ssim(dream[:, 1:], truth[:, 1:])      # (rollouts, steps)
    steps = P.shape[1]
    buckets = {}
    for lo, hi in BUCKETS:
        if hi <= steps:
            pm, pc = mean_ci(P[:, lo - 1:hi].mean(1))
            sm, sc = mean_ci(Q[:, lo - 1:hi].mean(1))
            buckets[f"{lo}-{hi}"] = {"psnr": pm, "psnr_ci95": pc, "ssim": sm, "ssim_ci95": sc}
    names = list(dict.fromkeys(name for _, name in jobs))
    by_script = {n: float(np.mean([P[i].mean() for i, (_, m) in enumerate(jobs) if m == n])) for n in names}
    return {"buckets": buckets, "psnr_per_step": P.mean(0).tolist(), "ssim_per_step": Q.mean(0).tolist(),
            "by_script": by_script, "rollouts": len(jobs), "steps": steps,
            "seeds": list(dict.fromkeys(int(s) for s, _ in jobs))}


def action_following(dream, seeds, steps: int = 16, pairs=(("turn_left", "turn_right"), ("walk", "still"),
                                                          ("walk", "turn_left"), ("still", "turn_right")),
                     progress=True) -> dict:
    """For scripts A != B from the same start: is dream(A) closer (MSE) to truth(A) than to
    truth(B)? Counted both ways for every pair and seed (overall, by script and by pair).
    Also the response per pair: how far apart the dream's two rollouts are relative to the
    truth's, MSE(dream A, dream B) / MSE(truth A, truth B) summed over seeds (1 = the actions
    change the picture as much as in the world, near 0 = the dream ignores the difference)."""
    truth = VoxelWorld()
    by_script = {name: [0, 0] for pair in pairs for name in pair}   # script -> [wins, comparisons]
    apart = {pair: [0.0, 0.0] for pair in pairs}                       # pair -> [dream, truth] MSE sums
    by_pair = {pair: [0, 0] for pair in pairs}                         # pair -> [wins, comparisons]
    cache = {}   # (seed, script) -> (dream, truth) frames after the start, float64

    def mse(p, q):
        return ((p - q) ** 2).mean()

    for seed in tqdm(seeds, desc="action following", disable=not progress):
        for a, b in pairs:
            for name in (a, b):
                if (seed, name) not in cache:
                    pair = paired(dream, truth, seed, script(name, np.random.default_rng(seed), steps))
                    cache[seed, name] = tuple(f[1:].astype(np.float64) for f in pair)
            (da, ta), (db, tb) = cache[seed, a], cache[seed, b]
            apart[a, b][0] += mse(da, db)
            apart[a, b][1] += mse(ta, tb)
            for x, y in ((a, b), (b, a)):
                d = cache[seed, x][0]
                win = int(mse(d, cache[seed, x][1]) < mse(d, cache[seed, y][1]))
                for tally in (by_script[x], by_pair[a, b]):
                    tally[0] += win
                    tally[1] += 1
    wins, total = (sum(t[i] for t in by_pair.values()) for i in (0, 1))
    return {"rate": wins / max(1, total), "comparisons": total, "steps": steps, "pairs": [list(p) for p in pairs],
            "by_script": {k: w / max(1, n) for k, (w, n) in by_script.items()},
            "by_pair": {f"{a}/{b}": w / max(1, n) for (a, b), (w, n) in by_pair.items()},
            "response": {f"{a}/{b}": d / max(t, 1e-9) for (a, b), (d, t) in apart.items()}}


def following_details(af: dict) -> str:
    """The action-following rate by script and the response per pair, as words for the
    report and the model card ("" for older reports that lack them)."""
    words = []
    if "by_script" in af:
        words.append("by the dream's script: " + ", ".join(f"{k} {v:.0%}" for k, v in af["by_script"].items()))
    if "by_pair" in af:
        words.append("by pair: " + ", ".join(f"{k} {v:.0%}" for k, v in af["by_pair"].items()))
    if "response" in af:
        words.append("response, how far apart the dream's two rollouts are relative to the world's "
                     "(1 = as in the world, 0 = the action is ignored): "
                     + ", ".join(f"{k} {v:.2f}" for k, v in af["response"].items()))
    return "; ".join(words)


def eval_seeds(n: int, offset: int = 0) -> list[int]:
    return [EVAL_SEED_BASE + 500 + offset + i for i in range(n)]
