"""`playground eval`: the dream measured as players and the field meet it (action accuracy
by an inverse-dynamics model, loop-closure revisits, a minute of free play), then the
papers' tables on our world; written as report.md, report.json and PNG plots."""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, fields
from pathlib import Path

from playground.config import ConfigError
from playground.dream import tuning
from playground.eval import play_measures as PM
from playground.eval.action_use import action_use
from playground.eval.plots import plots
from playground.eval.report_md import markdown
from playground.eval.retrieval import SSIM_THRESHOLD, retrieval
from playground.eval.reprojection import following_ceiling, geometry_ceiling
from playground.eval.depth_error import depth_error
from playground.eval.pose_drift import pose_drift
from playground.eval.rollouts import SCRIPTS, action_following, eval_seeds

QUICK = {"depth_seeds": 4, "pose_seeds": 8, "idm_seeds": 4, "loops_per_bucket": 3, "free_play_seeds": 1, "free_play_ticks": 1200,
         "rollout_seeds": 2, "follow_seeds": 6, "retrieval_trials": 4, "memory_sizes": (8,), "ticks": 40,
         "steps": 64, "scripts": SCRIPTS, "follow_steps": 16, "samplers": (),
         "retrieval_all_memory": False, "presets": ("frame-2",)}
FULL = {"depth_seeds": 16, "pose_seeds": 32, "idm_seeds": 32, "loops_per_bucket": 12, "free_play_seeds": 8, "free_play_ticks": 1200,
        "rollout_seeds": 8, "follow_seeds": 16, "retrieval_trials": 12, "memory_sizes": (0, 4, 8), "ticks": 150,
        "steps": 64, "scripts": SCRIPTS, "follow_steps": 16}
# Seed offsets (eval_seeds): each measure its own held-out worlds.
OFFSETS = {"accumulation": 0, "following": 100, "retrieval": 200, "samplers": 50, "idm": 1000, "loops": 2000,
           "free_play": 3000, "pose": 3100, "depth": 3200}


# What each measure chooses for its dreams (its sources differ in them), so `--set` may not change it.
EVAL_CHOSEN = ("schedule", "schedule_params", "use_memory", "memory_frames", "recondition", "world_memory")

# (preset, re-conditioned, tuned): tuned = the checkpoint's recommended context label and action
# guidance (playground.dream.tuning); untuned = plain sampling, to show what they do.
SAMPLERS = (("frame-2", True, True), ("frame-2", True, False), ("frame-4", True, True),
            ("progressive-4", True, True), ("progressive-4", False, True))


def sampler_changes(changes: dict | None) -> dict:
    """`playground eval --set NAME=VALUE` checked: SamplerSettings fields the eval does not
    choose itself, with values the settings accept. Raises ConfigError otherwise."""
    from playground.dream.settings import SamplerSettings
    changes = dict(changes or {})
    names = {f.name for f in fields(SamplerSettings)}
    for name in changes:
        if name in EVAL_CHOSEN:
            raise ConfigError(f"--set {name}: the eval chooses {name} itself for each measure; "
                              f"change another sampler setting or evaluate with `playground play` options")
        if name not in names:
            raise ConfigError(f"--set {name}: not a sampler setting; known: "
                              f"{', '.join(sorted(names - set(EVAL_CHOSEN)))}")
    SamplerSettings().with_changes(**changes)   # the settings' own checks (ConfigError)
    return changes


def sampler_change_groups(texts: list[str]) -> dict[str, dict]:
    """Each "NAME=VALUE[,NAME=VALUE...]" (a tool's repeatable --set, one run each) -> its
    checked changes (sampler_changes), keyed by the text. Raises ConfigError."""
    from playground.config import overrides
    return {text: sampler_changes(overrides(text.split(","))) for text in texts}


def eval_dream(models, memory_frames: int, schedule=("frame", {"steps": 2}), recondition: bool = True,
               tuned: bool = True, world_memory: bool = True, changes: dict | None = None):
    """The dream as the report measures it. world_memory False: the network alone draws
    every frame (the world memory is a setting, not a tuning: untuned keeps it). `changes`:
    sampler settings changed for every dream (`playground eval --set`, checked by sampler_changes)."""
    from playground.dream.settings import SamplerSettings
    from playground.dream.world import DreamConfig, DreamWorld
    params = dict(schedule[1]) if tuned else {**schedule[1], "context_label": 0}
    sampler = SamplerSettings.named(
        schedule[0], params, use_memory=memory_frames > 0, memory_frames=memory_frames or None,
        recondition=recondition, action_guidance=None if tuned else 0.0, guidance_min_level=None if tuned else 0,
        guidance_on=None if tuned else "all", world_memory=world_memory).with_changes(**(changes or {}))
    return DreamWorld(DreamConfig(sampler=sampler), models=models)


def in_repository(path) -> str:
    """A file's name relative to the working folder when it lies below it (a clone), else as given."""
    rel = os.path.relpath(Path(path).resolve(), Path.cwd())
    return str(path) if rel.startswith("..") else rel


class _Clock:
    """Seconds per part of the report (report["seconds_by_part"]): where a run's time goes."""

    def __init__(self):
        self.last, self.parts = time.time(), {}

    def lap(self, part: str) -> None:
        now = time.time()
        self.parts[part] = round(now - self.last, 1)
        self.last = now


def run(checkpoint=None, out="eval", quick: bool = False, progress: bool = True,
        settings: dict | None = None, idm=None, sampler: dict | None = None) -> dict:
    """Everything, written to `out`. `settings` overrides QUICK/FULL entries (tests); `idm`
    is the inverse-dynamics model's file (default: the shipped one); `sampler` changes sampler
    settings for every dream (`--set`; the throughput table keeps the checkpoint's)."""
    from playground.dream.load import load_dream
    from playground.eval.idm import load_shipped
    p = {**(QUICK if quick else FULL), **(settings or {}), "sampler": sampler_changes(sampler)}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0, clock = time.time(), _Clock()
    idm_model, idm_info = load_shipped(idm)
    models = load_dream(checkpoint)
    sizes = [m for m in p["memory_sizes"] if m <= models[0].cfg.memory_frames]
    default = max(sizes)
    report = {"checkpoint": in_repository(models[2]["path"]), "checkpoint_sha256": models[2]["sha256"],
              "quick": quick, "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()},
              "sampler_defaults": asdict(tuning.from_checkpoint(models[2])),
              "idm": {**idm_info, "file": in_repository(idm_info["file"])}}
    dreams = {"shipped": eval_dream(models, default, changes=p["sampler"]),
              "network alone": eval_dream(models, default, world_memory=False, changes=p["sampler"])}
    seeds = lambda what, n: eval_seeds(n, OFFSETS[what])  # noqa: E731
    report["action_accuracy"] = PM.action_accuracy(idm_model, dreams, seeds("idm", p["idm_seeds"]), progress)
    clock.lap("action_accuracy")
    loop_seeds = seeds("loops", 3 * p["loops_per_bucket"])
    report["loop_closure"] = PM.loop_closure(dreams, loop_seeds, p["loops_per_bucket"], progress)
    # The same worlds departing from the world's own frame, as the field's revisit tests give
    # the model true frames first: only there can a memory of what was shown match the world.
    report["loop_closure_from_world"] = PM.loop_closure({"shipped": dreams["shipped"]}, loop_seeds,
                                                        p["loops_per_bucket"], progress, lead=False)
    report["loop_closure_from_world"].pop("examples")
    clock.lap("loop_closure")
    report["free_play"] = PM.free_play(dreams, seeds("free_play", p["free_play_seeds"]), p["free_play_ticks"],
                                       progress)
    clock.lap("free_play")
    report["pose"] = pose_drift(seeds("pose", p["pose_seeds"]), 64, progress)
    depth_net = _shipped_depth()
    if depth_net is not None:
        report["pose"]["depth"] = depth_error(depth_net, seeds("depth", p["depth_seeds"]), progress=progress)
    clock.lap("pose")
    film = report["free_play"].pop("examples")
    loop_film = report["loop_closure"].pop("examples")
    report["action_use"] = action_use(models)
    clock.lap("action_use")
    _papers(report, models, dreams, sizes, default, p, progress, clock)
    plots(report, film, loop_film, out)
    clock.lap("plots")
    report["seconds"] = round(time.time() - t0, 1)
    report["seconds_by_part"] = clock.parts
    (out / "report.json").write_text(json.dumps(report, indent=1))
    (out / "report.md").write_text(markdown(report))
    return report


def _shipped_depth():
    """The shipped depth network, or None where this install has none."""
    from playground.dream.load import load_depth
    from playground.shipped import shipped_path
    return load_depth()[0] if shipped_path("depth.safetensors").is_file() else None


def _papers(report: dict, models, dreams: dict, sizes, default: int, p: dict, progress: bool,
            clock: _Clock) -> None:
    """The papers' tables (error accumulation by memory size, retrieval), the older
    action-following comparisons, the sampler settings and the throughput."""
    from playground.eval.bench import bench_dream
    changes = p["sampler"]
    others = {f"memory {m}": eval_dream(models, m, changes=changes) for m in sizes if m != default}
    if 0 in sizes:   # what each memory adds: without the compressed tokens and the world memory both
        others["neither memory"] = eval_dream(models, 0, world_memory=False, changes=changes)
    acc = PM.error_accumulation({**dreams, **others}, eval_seeds(p["rollout_seeds"], OFFSETS["accumulation"]),
                                p["steps"], p["scripts"], progress)
    by_memory = {m: acc["shipped"] if m == default else acc[f"memory {m}"] for m in sizes}
    report["error_accumulation"] = {"default_memory_frames": default, **acc["shipped"],
                                    "by_memory_frames": {str(m): a["buckets"] for m, a in by_memory.items()},
                                    "psnr_per_step_by_memory": {str(m): a["psnr_per_step"]
                                                                for m, a in by_memory.items()}}
    report["network_alone"] = {"error_accumulation": acc["network alone"]}
    report["memories"] = _memories(acc)
    report["baselines"] = {name: acc[name]["by_script"] for name in PM.BASELINES}
    report["baseline_buckets"] = {name: acc[name]["buckets"] for name in PM.BASELINES}
    clock.lap("error_accumulation")
    follow = eval_seeds(p["follow_seeds"], OFFSETS["following"])
    report["action_following"] = action_following(dreams["shipped"], follow, steps=p["follow_steps"],
                                                  progress=progress)
    report["following_ceiling"] = following_ceiling(follow, p["follow_steps"])
    geometry = geometry_ceiling(follow, p["follow_steps"])
    report["geometry_ceiling"] = {k: geometry[k] for k in ("rate", "comparisons", "by_script", "by_pair")}
    clock.lap("action_following")
    ret = {}
    for m in sizes if p.get("retrieval_all_memory", True) else [default]:
        r = retrieval(eval_dream(models, m, changes=changes), eval_seeds(8, OFFSETS["retrieval"]),
                      p["retrieval_trials"], progress=progress, desc=f"retrieval (memory {m})")
        r.pop("examples")
        ret[str(m)] = r
    report["retrieval"] = {"threshold": SSIM_THRESHOLD, "by_memory_frames": ret,
                           "buckets": ret[str(default)]["buckets"]}
    clock.lap("retrieval")
    report["samplers"] = _samplers(models, default, p, progress)
    clock.lap("samplers")
    bench = bench_dream(models[2]["path"], presets=p.get("presets"), ticks=p["ticks"])
    report["throughput"] = {k: v for k, v in bench.items() if k != "table"}
    clock.lap("throughput")


def _memories(acc: dict) -> dict:
    """PSNR buckets with the world memory and the compressed-token bank, alone and together
    (the bank-less runs where the report has them)."""
    rows = {"both": acc["shipped"], "world memory only": acc.get("memory 0"),
            "compressed tokens only": acc["network alone"], "neither": acc.get("neither memory")}
    return {name: a["buckets"] for name, a in rows.items() if a is not None}


def _samplers(models, memory, p, progress) -> list[dict]:
    """PSNR of each sampler setting on the same rollouts (what re-conditioning costs)."""
    from playground.dream.schedule import NAMED
    rows = []
    seeds = eval_seeds(max(1, p["rollout_seeds"] // 2), OFFSETS["samplers"])
    for name, recond, tuned in p.get("samplers", SAMPLERS):
        dream = eval_dream(models, memory, NAMED[name], recond, tuned, changes=p["sampler"])
        a = PM.error_accumulation({name: dream}, seeds, p["steps"], p["scripts"][:4], progress)[name]
        rows.append({"preset": name, "recondition": recond, "tuned": tuned, "buckets": a["buckets"],
                     "rollouts": a["rollouts"]})
    return rows
