"""Loop-closure revisits: leave a place, come back to exactly the same pose, and ask
whether the dream shows that place again.

Each trial starts with a lead-in (turn, walk, settle) so that the place it departs from
is already the dream's own picture, then runs one loop:

- "out and back": walk forward k ticks, settle, walk backward k ticks, settle;
- "turn around": walk k, turn 180 degrees, walk k back, turn 180 degrees;
- "square": four times walk k and turn 90 degrees.

The gap (ticks from departure to return) runs to 200. A trial is kept only where the
voxel world itself comes back to the departure pose (within POSE_TOLERANCE blocks and
the same heading; a wall or a slope can stop it). Reported per gap bucket and loop:

- revisit: SSIM(dream at the return, world at the return) >= 0.7;
- self-consistency: SSIM(dream at the return, dream at the departure) >= 0.7, which
  counts ground the dream imagined itself;
- moved away: over the trip's ticks where the world's view differs from the departure
  view (SSIM < 0.5), the share where the dream is closer (MSE) to the world's view than
  to its own departure frame. A dream that stops moving scores 0 here and so cannot pass
  the two above by standing still;
- moved away on seen ground (trials from the world's frame, with loop_references'
  seen_before masks): the same comparison over only the pixels whose surface the first
  frame showed, on the away ticks where they are at least SEEN_SHARE of the view. There a
  dream that keeps what it was shown can follow the world; elsewhere the view is ground no
  dream given one frame can know.
"""
from __future__ import annotations

import numpy as np

from playground import actions as A
from playground.eval.metrics import ssim, wilson

THRESHOLD = 0.7
GAP_BUCKETS = ((16, 48), (49, 112), (113, 200))
LOOPS = ("out and back", "turn around", "square")
POSE_TOLERANCE = 0.25     # blocks between the departure and return feet positions
SETTLE = 4                # ticks of no action: walking momentum dies down (x 0.5 a tick on ground)
AWAY_SSIM = 0.5           # the world's view counts as away from the departure below this
SEEN_SHARE = 0.2          # an away tick counts on seen ground where this share of its view was shown


def _turn(degrees: float) -> list[np.ndarray]:
    n = int(round(abs(degrees) / A.MAX_TURN_DEGREES))
    return [A.make(yaw=float(np.sign(degrees)))] * n


def lead_in(rng: np.random.Generator) -> list[np.ndarray]:
    """Turn 40-80 degrees either way, walk 6 ticks, settle: the departure is dreamed."""
    return _turn(float(rng.choice([-1, 1]) * 10 * rng.integers(4, 9))) + [A.make({"forward"})] * 6 + \
        [A.zero()] * SETTLE


def loop(kind: str, k: int) -> list[np.ndarray]:
    """The actions of one loop with legs of k walking ticks."""
    walk, still = [A.make({"forward"})] * k, [A.zero()] * SETTLE
    if kind == "out and back":
        return walk + still + [A.make({"back"})] * k + still
    if kind == "turn around":
        return walk + _turn(180) + walk + _turn(180) + still
    if kind == "square":
        return (walk + _turn(90)) * 4 + still
    raise ValueError(f"unknown loop {kind!r}")


def legs_for(kind: str, gap: int) -> int:
    """The leg length k whose loop lasts about `gap` ticks."""
    fixed = len(loop(kind, 0))
    return max(2, (gap - fixed) // (4 if kind == "square" else 2))


def returned(poses: np.ndarray, depart: int) -> bool:
    """Whether the world's poses (T+1, 5) end where they were at `depart`."""
    a, b = poses[depart], poses[-1]
    heading = abs((a[3] - b[3] + 180) % 360 - 180)
    return bool(np.linalg.norm(a[:3] - b[:3]) <= POSE_TOLERANCE and heading < 0.5 and abs(a[4] - b[4]) < 0.5)


def plan(seeds, per_bucket: int, world_rollouts, lead: bool = True) -> list[dict]:
    """Trials whose world returns, `per_bucket` per gap bucket (round robin over the loops
    and seeds), each with its actions, departure tick and the world's frames. lead False:
    no lead-in, the loop departs from the world's own first frame, so a dream that keeps
    what it was shown can pass the revisit (after the lead-in the departure is imagined
    ground, which the world's return view does not match)."""
    rng = np.random.default_rng(2)
    trials, attempt = [], 0
    for lo, hi in GAP_BUCKETS:
        found = 0
        while found < per_bucket and attempt < 40 * per_bucket * len(GAP_BUCKETS):
            kind, seed = LOOPS[attempt % len(LOOPS)], int(seeds[attempt % len(seeds)])
            attempt += 1
            before = lead_in(rng) if lead else []
            acts = np.stack(before + loop(kind, legs_for(kind, int(rng.integers(lo, hi + 1)))))
            frames, poses = world_rollouts([seed], acts)
            if returned(poses[0], len(before)):
                trials.append({"seed": seed, "loop": kind, "depart": len(before), "gap": len(acts) - len(before),
                               "bucket": f"{lo}-{hi}", "actions": acts, "truth": frames[0],
                               "pitch": float(poses[0, 0, 4])})
                found += 1
    return trials


def trial_scores(frames: np.ndarray, truth: np.ndarray, depart: int, seen: np.ndarray | None = None) -> dict:
    """The figures of one trial of a source's frames (T+1, H, W, 3); with `seen` (T+1, H, W)
    bool, the pixels whose surface the departure frame showed, moved away on seen ground too."""
    away = np.arange(depart + 1, len(truth) - 1)
    away = away[ssim(truth[away], truth[depart]) < AWAY_SSIM]
    d = frames.astype(np.float32)
    closer = _closer_to_world(d[away], truth[away], d[depart])
    out = {"revisit_ssim": float(ssim(frames[-1], truth[-1])), "self_ssim": float(ssim(frames[-1], frames[depart])),
           "moved": int(closer.sum()), "away": len(away)}
    if seen is not None:
        shown = away[seen[away].mean(axis=(1, 2)) >= SEEN_SHARE]
        out.update(moved_seen=int(_closer_to_world(d[shown], truth[shown], d[depart], seen[shown]).sum()),
                   away_seen=len(shown))
    return out


def _closer_to_world(d: np.ndarray, truth: np.ndarray, start: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """(N,) bool: frames d (N, H, W, 3) closer (squared error, over each frame's `mask`
    (N, H, W) if given) to the world's truth than to the departure frame `start` (H, W, 3)."""
    weight = 1.0 if mask is None else mask[..., None]
    return (((d - truth) ** 2) * weight).sum(axis=(1, 2, 3)) < (((d - start) ** 2) * weight).sum(axis=(1, 2, 3))


def summarise(rows: list[dict]) -> dict:
    """Rates with Wilson intervals over trials (rows of trial_scores plus bucket and loop)."""
    seen = bool(rows) and "away_seen" in rows[0]      # trials from the world's frame, with seen masks

    def rates(sub):
        n = len(sub)
        rev = wilson(sum(r["revisit_ssim"] >= THRESHOLD for r in sub), n)
        own = wilson(sum(r["self_ssim"] >= THRESHOLD for r in sub), n)
        moved = wilson(sum(r["moved"] for r in sub), sum(r["away"] for r in sub))
        return {"trials": n, "revisit": rev[0], "revisit_ci95": list(rev[1:]),
                "self_consistency": own[0], "self_consistency_ci95": list(own[1:]),
                "moved_away": moved[0], "moved_away_ci95": list(moved[1:]),
                **(_seen_rates(sub) if seen else {}),
                "revisit_ssim": float(np.mean([r["revisit_ssim"] for r in sub])) if n else float("nan"),
                "self_ssim": float(np.mean([r["self_ssim"] for r in sub])) if n else float("nan")}
    return {**rates(rows), "by_gap": {f"{lo}-{hi}": rates([r for r in rows if r["bucket"] == f"{lo}-{hi}"])
                                      for lo, hi in GAP_BUCKETS},
            "by_loop": {k: rates([r for r in rows if r["loop"] == k]) for k in LOOPS}}


def _seen_rates(rows: list[dict]) -> dict:
    """Moved away on seen ground with its interval (NaN for no rows)."""
    moved = wilson(sum(r["moved_seen"] for r in rows), sum(r["away_seen"] for r in rows))
    return {"moved_away_seen": moved[0], "moved_away_seen_ci95": list(moved[1:])}


def score_source(trials: list[dict], frames_per_trial: list[np.ndarray], seen: list | None = None) -> dict:
    """summarise of every trial's scores; `seen`: each trial's seen_before masks."""
    seen = seen or [None] * len(trials)
    rows = [{**trial_scores(f, t["truth"], t["depart"], s), "bucket": t["bucket"], "loop": t["loop"]}
            for t, f, s in zip(trials, frames_per_trial, seen)]
    return summarise(rows)
