"""`playground eval`: the papers' tables on our world, written as report.md, report.json
and PNG plots."""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from playground.dream import tuning  # noqa: E402
from playground.eval import paper  # noqa: E402
from playground.eval.baselines import BASELINES  # noqa: E402
from playground.eval.metrics import psnr_text  # noqa: E402
from playground.eval.retrieval import SSIM_THRESHOLD, retrieval  # noqa: E402
from playground.eval.reprojection import (ceiling_words, following_ceiling, geometry_ceiling,  # noqa: E402
                                          geometry_words)
from playground.eval.rollouts import (SCRIPTS, action_following, error_accumulation, eval_seeds,  # noqa: E402
                                      following_details)

QUICK = {"rollout_seeds": 3, "follow_seeds": 6, "retrieval_trials": 4, "memory_sizes": (0, 8), "ticks": 40,
         "steps": 64, "scripts": SCRIPTS, "follow_steps": 16}
FULL = {"rollout_seeds": 8, "follow_seeds": 16, "retrieval_trials": 12, "memory_sizes": (0, 4, 8), "ticks": 150,
        "steps": 64, "scripts": SCRIPTS, "follow_steps": 16}


# (preset, re-conditioned, tuned): tuned = the checkpoint's recommended context label, action
# guidance and turn warp (playground.dream.tuning); untuned = plain sampling, to show what they do.
SAMPLERS = (("frame-2", True, True), ("frame-2", True, False), ("frame-4", True, True),
            ("progressive-4", True, True), ("progressive-4", False, True))


def eval_dream(models, memory_frames: int, schedule=("frame", {"steps": 2}), recondition: bool = True,
           tuned: bool = True, turn_warp: int | None = None):
    """The dream as the report measures it. turn_warp: a turn warp level instead of the
    checkpoint's (tuned) or none (untuned); 0 measures the network's own turns."""
    from playground.dream.session import SessionOptions
    from playground.dream.world import DreamConfig, DreamWorld
    opts = SessionOptions(use_memory=memory_frames > 0, memory_frames=memory_frames or None,
                          recondition=recondition, action_guidance=None if tuned else 0.0,
                          guidance_min_level=None if tuned else 0, guidance_on=None if tuned else "all",
                          turn_warp_level=turn_warp if turn_warp is not None else None if tuned else 0)
    params = dict(schedule[1]) if tuned else {**schedule[1], "context_label": 0}
    return DreamWorld(DreamConfig(schedule=schedule[0], schedule_params=params, options=opts), models=models)


def run(checkpoint=None, out="eval", quick: bool = False, progress: bool = True,
        settings: dict | None = None) -> dict:
    """Everything, written to `out`. `settings` overrides QUICK/FULL entries (tests)."""
    from playground.bench import bench_dream
    from playground.dream.load import load_dream
    p = {**(QUICK if quick else FULL), **(settings or {})}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    models = load_dream(checkpoint)
    sizes = [m for m in p["memory_sizes"] if m <= models[0].cfg.memory_frames]
    report = {"checkpoint": models[2]["path"], "checkpoint_sha256": models[2]["sha256"], "quick": quick,
              "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()},
              "sampler_defaults": asdict(tuning.from_checkpoint(models[2]))}
    default = max(sizes)
    acc = {}
    for m in sizes:
        acc[m] = error_accumulation(eval_dream(models, m), eval_seeds(p["rollout_seeds"]), steps=p["steps"],
                                    scripts=p["scripts"], progress=progress)
    report["error_accumulation"] = {"default_memory_frames": default, **acc[default],
                                    "by_memory_frames": {str(m): a["buckets"] for m, a in acc.items()}}
    report["baselines"] = {b.name: error_accumulation(b(), eval_seeds(p["rollout_seeds"]), steps=p["steps"],
                                                      scripts=p["scripts"], progress=False)["by_script"]
                           for b in BASELINES}
    report["action_following"] = action_following(eval_dream(models, default), eval_seeds(p["follow_seeds"], 100),
                                                  steps=p["follow_steps"], progress=progress)
    report["following_ceiling"] = following_ceiling(eval_seeds(p["follow_seeds"], 100), p["follow_steps"])
    geometry = geometry_ceiling(eval_seeds(p["follow_seeds"], 100), p["follow_steps"])
    report["geometry_ceiling"] = {k: geometry[k] for k in ("rate", "comparisons", "by_script", "by_pair")}
    ret, examples = {}, []
    for m in sizes:
        r = retrieval(eval_dream(models, m), eval_seeds(8, 200), p["retrieval_trials"], progress=progress,
                      desc=f"retrieval (memory {m})")
        ex = r.pop("examples")
        examples = ex if m == default else examples
        ret[str(m)] = r
    report["retrieval"] = {"threshold": SSIM_THRESHOLD, "by_memory_frames": ret,
                           "buckets": ret[str(default)]["buckets"]}
    report["samplers"] = _samplers(models, default, p, progress)
    report["throughput"] = {k: v for k, v in bench_dream(checkpoint, presets=p.get("presets"),
                                                         ticks=p["ticks"]).items() if k != "table"}
    report["seconds"] = round(time.time() - t0, 1)
    _plots(report, acc, examples, out)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    (out / "report.md").write_text(markdown(report))
    return report


def _samplers(models, memory, p, progress) -> list[dict]:
    """PSNR of each sampler setting on the same rollouts (what re-conditioning costs)."""
    from playground.dream.schedule import NAMED
    rows = []
    seeds = eval_seeds(max(1, p["rollout_seeds"] // 2), 50)
    for name, recond, tuned in p.get("samplers", SAMPLERS):
        a = error_accumulation(eval_dream(models, memory, NAMED[name], recond, tuned), seeds, steps=p["steps"],
                               scripts=p["scripts"][:4], progress=progress)
        rows.append({"preset": name, "recondition": recond, "tuned": tuned, "buckets": a["buckets"],
                     "rollouts": a["rollouts"]})
    return rows


def _tuning_words(d: dict) -> str:
    words = f"context shown at noise level {d['context_label']}, action guidance {d['action_guidance']:g}"
    if d.get("action_guidance") and d.get("guidance_on") == "keys":
        words += " (keys only: turns unguided)"
    words += f" on frames at noise level >= {d['guidance_min_level']}" if d.get("guidance_min_level") else ""
    return words + (f", frames that turn in place redrawn from the turned picture at noise level "
                    f"{d['turn_warp_level']} (turn warp)" if d.get("turn_warp_level") else "")


def decay(buckets: dict) -> float:
    keys = list(buckets)
    return buckets[keys[0]]["psnr"] - buckets[keys[-1]]["psnr"]


def _plots(report, acc, examples, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for m, a in acc.items():
        ax.plot(range(1, len(a["psnr_per_step"]) + 1), a["psnr_per_step"], label=f"memory {m} frames")
    ax.set_xlabel("rollout step (ticks)")
    ax.set_ylabel("PSNR vs voxel world (dB)")
    ax.set_title("Error accumulation, open loop")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "psnr_per_step.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for m, a in acc.items():
        rate = np.mean([b["rate"] for b in report["retrieval"]["by_memory_frames"][str(m)]["buckets"].values()])
        ax.scatter(rate, decay(a["buckets"]), s=50)
        ax.annotate(f"ours, memory {m}", (rate, decay(a["buckets"])), textcoords="offset points", xytext=(5, 5))
    ax.axhline(paper.MINECRAFT_DECAY_DB, ls="--", color="gray")
    ax.annotate(f"paper, Minecraft decay (budget 8): {paper.MINECRAFT_DECAY_DB} dB", (0.02, paper.MINECRAFT_DECAY_DB),
                xycoords=("axes fraction", "data"), textcoords="offset points", xytext=(0, 4), fontsize=7)
    ax.set_xlabel("average retrieval rate")
    ax.set_ylabel("PSNR decay, steps 1-16 to 49-64 (dB)")
    ax.set_title("Retrieval vs error accumulation (cf. Meta-ARVDM Fig. 9)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "pareto.png", dpi=120)
    plt.close(fig)

    if examples:
        picks = sorted(examples, key=lambda e: e["ssim"])
        picks = [picks[int(i)] for i in np.linspace(0, len(picks) - 1, min(6, len(picks)))]
        fig, axes = plt.subplots(3, len(picks), figsize=(1.6 * len(picks), 5.2))
        axes = np.asarray(axes).reshape(3, -1)
        for j, e in enumerate(picks):
            for i, (img, label) in enumerate(((e["start"], "start (truth)"), (e["truth"], "return (truth)"),
                                              (e["dream"], f"dream SSIM {e['ssim']:.2f}"))):
                axes[i, j].imshow(img)
                axes[i, j].set_xticks([]), axes[i, j].set_yticks([])
                axes[i, j].set_title(label if i < 2 else f"{label}\ngap {e['gap']}", fontsize=7)
        fig.suptitle(f"Retrieval examples, success when SSIM >= {SSIM_THRESHOLD}", fontsize=9)
        fig.tight_layout()
        fig.savefig(out / "retrieval_examples.png", dpi=120)
        plt.close(fig)


def markdown(r: dict) -> str:
    ea, ret, af = r["error_accumulation"], r["retrieval"], r["action_following"]
    details, ceiling = following_details(af), ceiling_words(r.get("following_ceiling"))
    geometry = geometry_words(r.get("geometry_ceiling"))
    lines = [f"# playground eval{' (quick)' if r['quick'] else ''}", "",
             f"Checkpoint `{r['checkpoint']}` (sha256 `{r['checkpoint_sha256'][:12]}`), held-out seeds "
             f"(>= 1,000,500; training used seeds < 1,000,000). {r['seconds']:.0f} s.", "",
             "## Error accumulation (PSNR / SSIM vs the voxel world, open loop, same actions)", "",
             f"{ea['rollouts']} rollouts of {ea['steps']} steps (scripts: {', '.join(ea['by_script'])}), "
             f"memory {ea['default_memory_frames']} frames, `frame` sampler with 2 steps, "
             f"{_tuning_words(r['sampler_defaults'])}. 95% CI.", "",
             "| steps | PSNR (dB) | SSIM |", "| --- | --- | --- |"]
    for k, b in ea["buckets"].items():
        lines.append(f"| {k} | {b['psnr']:.2f} ± {b['psnr_ci95']:.2f} | {b['ssim']:.3f} ± {b['ssim_ci95']:.3f} |")
    if "baselines" in r:
        names = list(r["baselines"])
        lines += ["", "Mean PSNR (dB) by script, against trivial predictors on the same rollouts (PSNR rewards "
                  "blur; holding a frame is exact while nothing moves):", "",
                  "| script | dream | " + " | ".join(names) + " |", "| --- | --- |" + " --- |" * len(names)]
        for s, v in ea["by_script"].items():
            lines.append(f"| {s} | {v:.1f} | " + " | ".join(psnr_text(r["baselines"][n][s]) for n in names) + " |")
    lines += ["", f"Decay from the first to the last bucket: **{decay(ea['buckets']):.2f} dB** "
              f"(paper, Minecraft, budget 8: {paper.MINECRAFT_DECAY_DB} dB).", "",
              "For scale only, the paper's Tables 3-4 (other worlds: DMLab mazes and Minecraft video, "
              "not our voxel world):", "", "| budget | DMLab 0-16 / 48-64 | Minecraft 0-16 / 48-64 |",
              "| --- | --- | --- |"]
    for m in paper.PSNR_DMLAB:
        d, mc = paper.PSNR_DMLAB[m], paper.PSNR_MINECRAFT[m]
        lines.append(f"| {m} | {d[0]} / {d[3]} | {mc[0]} / {mc[3]} |")
    lines += ["", "PSNR by memory size:", "", "| memory frames | " + " | ".join(ea["buckets"]) + " |",
              "| --- |" + " --- |" * len(ea["buckets"])]
    for m, b in ea["by_memory_frames"].items():
        lines.append(f"| {m} | " + " | ".join(f"{v['psnr']:.2f}" for v in b.values()) + " |")
    lines += ["", "![PSNR per step](psnr_per_step.png)", "",
              "## Memory retrieval", "",
              f"Look at a place, leave it for g ticks (turn away, wait, walk off and back), return to the "
              f"same pose; success when SSIM(dream, truth) >= {ret['threshold']} at the return "
              "(the paper's Figure 13 calls >= 0.7 high similarity; see retrieval_examples.png).", "",
              "| memory frames | 0-16 | 16-48 | 48-112 |", "| --- | --- | --- | --- |"]
    for m, rr in ret["by_memory_frames"].items():
        lines.append(f"| {m} | " + " | ".join(f"{b['rate']:.2f} (SSIM {b['mean_ssim']:.2f})"
                                             for b in rr["buckets"].values()) + " |")
    lines += ["", f"Paper, DMLab (Table 1), best compressed memory at 16-48: {paper.BEST_RETRIEVAL_16_48}.", "",
              "![retrieval vs decay](pareto.png)", "", "![examples](retrieval_examples.png)", "",
              "## Action following", "",
              f"Dream of script A closer (MSE over {af['steps']} steps) to the truth of A than to the truth of B: "
              f"**{af['rate']:.0%}** of {af['comparisons']} comparisons (pairs: "
              f"{', '.join('/'.join(p) for p in af['pairs'])})."
              + (f" {details[0].upper()}{details[1:]}." if details else "")
              + (f" {ceiling}." if ceiling else "") + (f" {geometry}." if geometry else ""),
              "", "## Sampler settings", "",
              "Same rollouts for each setting (fewer than above); re-conditioning lets the newest action "
              f"reach frames already in the window; tuned: {_tuning_words(r['sampler_defaults'])}, "
              "untuned: clean context, no guidance, no turn warp.", "",
              "| preset | re-conditioned | tuned | " + " | ".join(ea["buckets"]) + " |",
              "| --- | --- | --- |" + " --- |" * len(ea["buckets"])]
    for row in r["samplers"]:
        lines.append(f"| {row['preset']} | {'yes' if row['recondition'] else 'no'} | "
                     f"{'yes' if row.get('tuned', True) else 'no'} | "
                     + " | ".join(f"{b['psnr']:.2f}" for b in row["buckets"].values()) + " |")
    lines += ["", "## Throughput", "",
              f"{r['throughput']['threads']} threads on {r['throughput']['device']}:", "",
              "| preset | ticks/s | model ms | decode ms | latency (ticks) |", "| --- | --- | --- | --- | --- |"]
    for row in r["throughput"]["presets"]:
        lines.append(f"| {row['preset']} | {row['ticks_per_s']} | {row['model_ms']} | {row['decode_ms']} | "
                     f"{row['latency_ticks']} |")
    return "\n".join(lines) + "\n"
