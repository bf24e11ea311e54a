"""The measures of the dream as players and the field meet it: action accuracy by the
IDM, loop-closure revisits and a minute of free play. Each runs the world once, then
every dream source (the shipped settings, the network alone) in batches, and scores
them beside the trivial predictors on the very same rollouts.
"""
from __future__ import annotations

import numpy as np

from playground.eval import action_accuracy as AA
from playground.eval import free_play as FP
from playground.eval import loops as L
from playground.eval import segments as G
from playground.eval.batched import BASELINES, batches, dream_rollouts, world_rollouts
from playground.eval.loop_references import REFERENCES, reference_frames

WORLD = "world (ceiling)"


def _dreams(dreams: dict, truth: np.ndarray, pitches, actions, progress: bool, what: str) -> dict:
    """Frames of each dream source and baseline on the world's rollouts (B, T+1, ...)."""
    out = {name: dream_rollouts(d, truth[:, 0], pitches, actions, progress=progress, desc=f"{what}: {name}")
           for name, d in dreams.items()}
    return {**out, **{name: f(truth) for name, f in BASELINES.items()}}


def action_accuracy(idm, dreams: dict, seeds, progress: bool = True) -> dict:
    """Scripted and random segments, one rollout per seed each; the IDM's keyboard and
    camera accuracy on the world (its ceiling), each dream and each baseline."""
    out = {}
    for kind in ("scripted", "random"):
        plans = AA.segment_plans(seeds, kind)
        acts = np.stack([G.actions(p) for p in plans])
        truth, poses = world_rollouts(seeds, acts, progress=progress, desc=f"IDM {kind}: world")
        kept = AA.kept_segments(plans, poses, truth)
        sources = {WORLD: truth, **_dreams(dreams, truth, poses[:, 0, 4], acts, progress, f"IDM {kind}")}
        out[kind] = {name: AA.score(idm, frames, plans, kept) for name, frames in sources.items()}
        out[kind]["segments_kept"] = int(sum(map(sum, kept)))
        out[kind]["segments"] = int(sum(map(len, kept)))
    return out


def loop_closure(dreams: dict, seeds, per_bucket: int, progress: bool = True, lead: bool = True) -> dict:
    """Revisit, self-consistency and moved-away rates of each source (loops.py); lead
    False: the loops depart from the world's first frame (loops.plan), the reference
    sources of loop_references are scored beside the dreams, and so is moved away on the
    ground the first frame showed."""
    trials = L.plan(seeds, per_bucket, world_rollouts, lead)
    order = sorted(range(len(trials)), key=lambda i: len(trials[i]["actions"]))
    frames = {name: [None] * len(trials) for name in [*dreams, *BASELINES, WORLD]}
    for k, rows in enumerate(batches(len(order))):   # trials of similar length share a batch
        lo = rows.start
        group = [trials[i] for i in order[rows]]
        T = max(len(t["actions"]) for t in group)
        acts = np.zeros((len(group), T, group[0]["actions"].shape[1]), np.float32)
        truth = np.zeros((len(group), T + 1, *group[0]["truth"].shape[1:]), np.uint8)
        for j, t in enumerate(group):           # shorter trials idle at the end: cut off below
            acts[j, :len(t["actions"])] = t["actions"]
            truth[j, :len(t["truth"])] = t["truth"]
        pitches = np.array([t["pitch"] for t in group])
        made = {WORLD: truth, **_dreams(dreams, truth, pitches, acts, progress, f"loops {k + 1}")}
        for name, f in made.items():
            for j, t in enumerate(group):
                frames[name][order[lo + j]] = f[j, :len(t["truth"])]
    seen = None
    if not lead:
        made, seen = zip(*(reference_frames(t) for t in trials))
        frames.update({name: [m[name] for m in made] for name in REFERENCES})
    out = {name: L.score_source(trials, f, seen) for name, f in frames.items()}
    shown = range(min(6, len(trials)))       # the departure (the dream's), then each source's return
    first = next(iter(dreams))
    out["examples"] = {f"departure: {first}": np.stack([frames[first][i][trials[i]["depart"]] for i in shown]),
                       **{f"return: {name}": np.stack([frames[name][i][-1] for i in shown])
                          for name in [WORLD, *dreams]}}
    out["trials"] = [{k: t[k] for k in ("seed", "loop", "gap", "depart", "bucket")} for t in trials]
    return out


def free_play(dreams: dict, seeds, ticks: int = FP.TICKS, progress: bool = True) -> dict:
    """Per-window series (free_play.series) and summaries of each source."""
    acts = FP.actions(seeds, ticks)
    truth, poses = world_rollouts(seeds, acts, progress=progress, desc="free play: world")
    sources = _dreams(dreams, truth, poses[:, 0, 4], acts, progress, "free play")
    series = {name: FP.series(f, truth) for name, f in sources.items()}
    return {"seeds": [int(s) for s in seeds], "ticks": ticks, "series": series,
            "summary": {name: FP.summary(s) for name, s in series.items()},
            "examples": {name: f[0, ::ticks // 6][1:] for name, f in {"world": truth, **sources}.items()}}


def error_accumulation(dreams: dict, seeds, steps: int, scripts, progress: bool = True) -> dict:
    """The papers' PSNR/SSIM tables (rollouts.accumulation) of each source on the same rollouts."""
    from playground.eval.rollouts import accumulation, accumulation_jobs
    jobs, acts = accumulation_jobs(seeds, scripts, steps)
    truth, poses = world_rollouts([s for s, _ in jobs], acts, progress=progress, desc="accumulation: world")
    sources = _dreams(dreams, truth, poses[:, 0, 4], acts, progress, "accumulation")
    return {name: accumulation(f, truth, jobs) for name, f in sources.items()}
