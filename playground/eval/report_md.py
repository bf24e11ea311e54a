"""report.md from report.json's dict: the headline table first (the measures players and
the field use, every source side by side), their details, then the papers' tables and
the older measures."""
from __future__ import annotations

from playground.eval import loops as L
from playground.eval import paper
from playground.eval.loop_references import REFERENCES
from playground.eval.metrics import psnr_text
from playground.eval.play_measures import WORLD
from playground.eval.plots import decay
from playground.eval.pose_drift import TRACKERS
from playground.eval.reprojection import ceiling_words, geometry_words
from playground.eval.rollouts import following_details
from playground.eval import segments as G

SOURCES = ("shipped", "network alone", "start frame held", "mean colour", WORLD)


def _pct(x) -> str:
    return "-" if x is None or x != x else f"{x:.0%}" if x >= 0.995 or x < 0.1 else f"{x:.1%}"


def _ci(d: dict, key: str = "accuracy", ci: str = "ci95") -> str:
    lo, hi = d[ci]
    return f"{_pct(d[key])} [{_pct(lo)}, {_pct(hi)}]" if d[key] == d[key] else "-"


def headline(r: dict) -> dict[str, dict[str, float | None]]:
    """figure -> source -> value, for the headline table and `compare`."""
    aa, lc, fp = r["action_accuracy"], r["loop_closure"], r["free_play"]["summary"]
    rows = {}
    for kind in ("scripted", "random"):
        for head in ("keyboard", "camera"):
            rows[f"IDM {head} accuracy, {kind}"] = {s: aa[kind][s][head]["accuracy"] for s in SOURCES if s in aa[kind]}
    for key, words in (("revisit", "loop revisit (SSIM >= 0.7 vs world)"),
                       ("self_consistency", "loop self-consistency (vs own departure)"),
                       ("moved_away", "moved away (closer to world than to departure)")):
        rows[words] = {s: lc[s][key] for s in SOURCES if s in lc}
    if "loop_closure_from_world" in r:     # reports before it lack it
        lw = r["loop_closure_from_world"]
        rows["loop revisit from the world's frame"] = {s: lw[s]["revisit"] for s in SOURCES if s in lw}
        if "moved_away_seen" in lw["shipped"]:
            rows["moved away on seen ground, from the world's frame"] = {s: lw[s]["moved_away_seen"]
                                                                          for s in SOURCES if s in lw}
    for key, words in (("sharpness", "free play sharpness, last 10 s"),
                       ("smeared", "free play smeared frames, last 10 s"),
                       ("change", "free play change, last 10 s"), ("psnr", "free play PSNR (dB), last 10 s")):
        rows[words] = {s: fp[s][key]["last"] for s in SOURCES if s in fp}
    acc = {"shipped": r["error_accumulation"]["buckets"],
           "network alone": r["network_alone"]["error_accumulation"]["buckets"], **r.get("baseline_buckets", {})}
    for b in ("1-16", "49-64"):
        rows[f"PSNR steps {b} (dB)"] = {s: v[b]["psnr"] for s, v in acc.items() if b in v}
    return rows


def _value(figure: str, v) -> str:
    if v is None:
        return "-"
    return f"{v:.2f}" if "dB" in figure or "sharpness" in figure or "change" in figure else _pct(v)


def headline_table(r: dict) -> list[str]:
    rows = headline(r)
    sources = SOURCES
    lines = ["| figure | " + " | ".join(sources) + " |", "| --- |" + " --- |" * len(sources)]
    for fig, by in rows.items():
        lines.append(f"| {fig} | " + " | ".join(_value(fig, by.get(s)) for s in sources) + " |")
    return lines


def idm_words(r: dict) -> str:
    """What the IDM is and how well it reads the world's own frames."""
    idm, held = r["idm"], r["idm"].get("heldout", {})
    return (f"The IDM (`{idm['file']}`, sha256 `{idm['sha256'][:12]}`) reads frames t-1 and t and names the keys "
             "(none, forward, back, left, right, jump) and the camera turn (none or one of 8 directions) between "
             "them. It was trained on the voxel world only, on world seeds no training or evaluation data uses; "
             f"on its own held-out episodes it is right for {_pct(held.get('keyboard'))} of keyboard and "
             f"{_pct(held.get('camera'))} of camera steps. Each rollout holds segments of {G.TICKS} ticks (one key "
             f"or one turn, at 3-10 degrees a tick), each after {G.LEAD} idle ticks in which the player stops; a "
             "segment's verdict sums the IDM's log-probabilities over its ticks; a key is "
             "scored only where the world itself shows it. Accuracy with Wilson 95% intervals; the world's own "
             "frames give the ceiling. Published GameWorld Score figures (keyboard / camera), on Minecraft: "
             "Matrix-Game 0.95 / 0.95, MineWorld 0.86 / 0.64, Oasis 0.77 / 0.56.")


def _idm_section(r: dict) -> list[str]:
    aa = r["action_accuracy"]
    lines = ["## Action accuracy (inverse-dynamics model)", "", idm_words(r), ""]
    for kind in ("scripted", "random"):
        a = aa[kind]
        lines += [f"**{kind.capitalize()} segments** ({a['segments_kept']} of {a['segments']} kept):", "",
                  "| source | keyboard | camera |", "| --- | --- | --- |"]
        lines += [f"| {s} | {_ci(a[s]['keyboard'])} | {_ci(a[s]['camera'])} |" for s in SOURCES if s in a]
        lines.append("")
    shipped, world = aa["random"]["shipped"], aa["random"][WORLD]
    lines += ["Per class, random segments (shipped / world):", "", "| keyboard class | shipped | world | segments |",
              "| --- | --- | --- | --- |"]
    lines += [f"| {c} | {_ci(shipped['keyboard']['by_class'][c])} | "
              f"{_pct(world['keyboard']['by_class'][c]['accuracy'])}"
              f" | {shipped['keyboard']['by_class'][c]['segments']} |" for c in G.KEY_CLASSES]
    lines += ["", "| camera class | shipped | world | segments |", "| --- | --- | --- | --- |"]
    lines += [f"| {c} | {_ci(shipped['camera']['by_class'][c])} | {_pct(world['camera']['by_class'][c]['accuracy'])}"
              f" | {shipped['camera']['by_class'][c]['segments']} |" for c in G.CAMERA_CLASSES]
    return lines + [""]


def _loops_section(r: dict) -> list[str]:
    lc = r["loop_closure"]
    lines = ["## Loop-closure revisits", "",
             f"{lc['shipped']['trials']} trials whose world returns to the departure pose (walk out and back; "
             "walk, turn 180, walk back, turn 180; a square of four legs), gaps 16-200 ticks after a lead-in that "
             "makes the departure the dream's own picture. Revisit: SSIM(dream, world) >= 0.7 at the return. "
             "Self-consistency: SSIM(dream at the return, dream at the departure) >= 0.7. Moved away: where the "
             "world's view has left the departure (SSIM < 0.5), the share of ticks the dream is closer to the "
             "world than to its own departure frame (a frozen dream scores 0).", "",
             *_loop_rows(lc)]
    return lines + ["", "![loop examples](loop_examples.png)", ""] + _loops_from_world(r)


def _loop_rows(lc: dict, sources=SOURCES) -> list[str]:
    """A loop-closure table (header and a row per source and gap bucket) of loops.summarise's,
    with moved away on seen ground where the report measured it."""
    seen = "moved_away_seen" in lc["shipped"]
    lines = ["| source | gap | trials | revisit | self-consistency | moved away | "
             + ("moved away, seen ground | " if seen else "") + "mean SSIM at return |",
             "| --- " * (7 + seen) + "|"]
    for s in sources:
        if s not in lc:
            continue
        for gap, b in lc[s]["by_gap"].items():
            lines.append(f"| {s} | {gap} | {b['trials']} | {_ci(b, 'revisit', 'revisit_ci95')} | "
                         f"{_ci(b, 'self_consistency', 'self_consistency_ci95')} | "
                         f"{_ci(b, 'moved_away', 'moved_away_ci95')} | "
                         + (f"{_ci(b, 'moved_away_seen', 'moved_away_seen_ci95')} | " if seen else "")
                         + f"{b['revisit_ssim']:.2f} |")
    return lines


def _loops_from_world(r: dict) -> list[str]:
    lw = r.get("loop_closure_from_world")
    if lw is None:
        return []
    lines = ["### From the world's frame", "",
             f"The same worlds' loops with no lead-in ({lw['shipped']['trials']} trials): the dream is given the "
             "world's frame at the departure, as revisit tests give a model true frames first, so a dream that "
             "keeps what it has shown can pass the revisit.", "",
             "Two references bound what moved away can say (loop_references.py): *another world* is a voxel world "
             "of another seed under the same actions (sharp, moving, keeping nothing it was shown); *kept + another "
             "world* shows the world's own pixels wherever the first frame saw their surface (a perfect memory) and "
             "another world elsewhere (it keeps all it was shown but cannot know unseen ground). Neither knows the "
             "ground a trip turns to, so neither scores near 100% moved away. Moved away on seen ground compares only "
             "the pixels whose surface the first frame showed (exact geometry), on away ticks where they are at least "
             f"{L.SEEN_SHARE:.0%} of the view: there a dream that keeps what it was shown can follow the world.", "",
             *_loop_rows(lw, SOURCES + REFERENCES)]
    return lines + [""]


def _free_play_section(r: dict) -> list[str]:
    fp = r["free_play"]
    ends = fp["series"]["shipped"]["end_tick"]
    lines = ["## A minute of free play", "",
             f"{len(fp['seeds'])} seeds x {fp['ticks']} ticks of the exploring policy. Per 10-second window: "
             "sharpness (mean gradient energy, dream / world), smeared frames (below a quarter of the world's "
             "gradient energy at the same tick), change over 0.5 s (dream / world; frozen = 0) and PSNR.", "",
             "| source | figure | " + " | ".join(f"{e // 20} s" for e in ends) + " |",
             "| --- | --- |" + " --- |" * len(ends)]
    for s in SOURCES:
        if s in fp["series"]:
            for key in ("sharpness", "smeared", "change", "psnr"):
                vals = fp["series"][s][key]
                lines.append(f"| {s} | {key} | " + " | ".join(_pct(v) if key == "smeared" else f"{v:.2f}"
                                                              for v in vals) + " |")
    return lines + ["", "![free play](free_play.png)", "", "![free play frames](free_play_frames.png)", ""]


def _pose_section(r: dict) -> list[str]:
    """The dream's own pose (dream/pose.py) against the world's, when the report has it."""
    d = r.get("pose")
    if not d:
        return []
    lines = ["## Pose", "",
             f"The dream's own camera position (`dream/pose.py`: the world's movement rules from the actions) "
             f"against the world's after {d['ticks']} ticks of exploring play, {d['seeds']} seeds, blocks:", "",
             "| tracker | median | mean | 90th percentile | within 0.5 block |", "| --- | --- | --- | --- | --- |"]
    for name in TRACKERS:
        if name not in d:       # reports made before the depth network's row
            continue
        x = d[name]
        lines.append(f"| {name} | {x['median']:.2f} | {x['mean']:.2f} | {x['p90']:.2f} | {_pct(x['within_half_block'])} |")
    lines += ["", "Dead reckoning walks on level ground; \"visual check\" takes each of its steps, the same "
              "step stopped along x, z, both or altogether, or a fall off a ledge, whichever best re-projects "
              "the frame before (lifted with the depth network) onto the frame after "
              "(`dream/visual_odometry.py`); \"depth network\" collides "
              "with the tops of the blocks the shipped depth network finds in each shown frame (the world "
              "memory's `memory_pose` \"depth\"), \"world's depth\" with those the world's exact depth reveals "
              "(a perfect depth network's ceiling). All run on the world's frames. "
              "The acceptance asks for a median of 0.5 block.", ""]
    if d.get("depth"):
        x = d["depth"]
        lines += [f"The depth network on {x['frames']} frames of {x['seeds']} held-out seeds: median relative error "
                  f"{_pct(x['median_relative_error'])} within the fog distance (mean {_pct(x['mean_relative_error'])}); "
                  f"near pixels called far {_pct(x['near_called_far'])}, far ones called near "
                  f"{_pct(x['far_called_near'])}. The acceptance asks for a median of 10%.", ""]
    return lines


def _action_use(r: dict) -> list[str]:
    u = r["action_use"]
    return ["## Does the model use its actions?", "",
            f"The DiT's training loss on {u['clips']} held-out clips of {u['frames']} frames with another clip's "
            f"actions, over the loss with their own: **{u['ratio']:.3f}** ({u['loss_shuffled']:.4f} / "
            f"{u['loss_true']:.4f}; 1 = the actions are ignored).", ""]


def tuning_words(d: dict) -> str:
    """The checkpoint's recommended sampler settings, in words."""
    words = f"context shown at noise level {d['context_label']}, action guidance {d['action_guidance']:g}"
    if d.get("action_guidance") and d.get("guidance_on") == "keys":
        words += " (keys only: turns unguided)"
    return words + (f" on frames at noise level >= {d['guidance_min_level']}" if d.get("guidance_min_level") else "")


def _accumulation(r: dict) -> list[str]:
    ea = r["error_accumulation"]
    alone = r["network_alone"]["error_accumulation"]["buckets"]
    lines = ["## Error accumulation (PSNR / SSIM vs the voxel world, open loop, same actions)", "",
             f"{ea['rollouts']} rollouts of {ea['steps']} steps (scripts: {', '.join(ea['by_script'])}), "
             f"memory {ea['default_memory_frames']} frames, `frame` sampler with 2 steps. 95% CI.", "",
             "| steps | shipped PSNR (dB) | shipped SSIM | network alone PSNR | network alone SSIM |",
             "| --- | --- | --- | --- | --- |"]
    for k, b in ea["buckets"].items():
        lines.append(f"| {k} | {b['psnr']:.2f} ± {b['psnr_ci95']:.2f} | {b['ssim']:.3f} ± {b['ssim_ci95']:.3f} | "
                     f"{alone[k]['psnr']:.2f} | {alone[k]['ssim']:.3f} |")
    names = list(r.get("baselines", {}))
    lines += ["", "Mean PSNR (dB) by script against trivial predictors on the same rollouts (PSNR rewards blur; "
              "holding a frame is exact while nothing moves):", "",
              "| script | shipped | " + " | ".join(names) + " |", "| --- | --- |" + " --- |" * len(names)]
    for s, v in ea["by_script"].items():
        lines.append(f"| {s} | {v:.1f} | " + " | ".join(psnr_text(r["baselines"][n][s]) for n in names) + " |")
    lines += ["", f"Decay from the first to the last bucket: **{decay(ea['buckets']):.2f} dB** "
              f"(paper, Minecraft, budget 8: {paper.MINECRAFT_DECAY_DB} dB). For scale only, the paper's Tables "
              "3-4 (other worlds: DMLab mazes and Minecraft video):", "",
              "| budget | DMLab 0-16 / 48-64 | Minecraft 0-16 / 48-64 |", "| --- | --- | --- |"]
    for m in paper.PSNR_DMLAB:
        d, mc = paper.PSNR_DMLAB[m], paper.PSNR_MINECRAFT[m]
        lines.append(f"| {m} | {d[0]} / {d[3]} | {mc[0]} / {mc[3]} |")
    lines += ["", "PSNR by memory size (shipped settings):", "",
              "| memory frames | " + " | ".join(ea["buckets"]) + " |", "| --- |" + " --- |" * len(ea["buckets"])]
    for m, b in ea["by_memory_frames"].items():
        lines.append(f"| {m} | " + " | ".join(f"{v['psnr']:.2f}" for v in b.values()) + " |")
    return lines + _memories(r) + ["", "![PSNR per step](psnr_per_step.png)", ""]


def _memories(r: dict) -> list[str]:
    """What each memory adds: the world memory and the compressed-token bank, alone and together."""
    if not r.get("memories"):
        return []
    buckets = next(iter(r["memories"].values()))
    lines = ["", "What each memory adds (PSNR, dB; the world memory: `--no-world-memory` switches it off; the "
             "compressed-token bank: `--no-memory`):", "",
             "| world memory | compressed tokens | " + " | ".join(buckets) + " |",
             "| --- | --- |" + " --- |" * len(buckets)]
    for name, b in r["memories"].items():
        world, tokens = ("yes" if "world" in name or name == "both" else "no",
                         "yes" if "tokens" in name or name == "both" else "no")
        lines.append(f"| {world} | {tokens} | " + " | ".join(f"{v['psnr']:.2f}" for v in b.values()) + " |")
    return lines


def _older(r: dict) -> list[str]:
    ret, af = r["retrieval"], r["action_following"]
    details, ceiling = following_details(af), ceiling_words(r.get("following_ceiling"))
    geometry = geometry_words(r.get("geometry_ceiling"))
    lines = ["## Memory retrieval (the paper's Table 1, adapted)", "",
             f"Look at a place, leave it for g ticks (turn away, wait, walk off and back), return to the same pose; "
             f"success when SSIM(dream, world) >= {ret['threshold']} at the return. The departure here is the "
             "world's own start frame (the loop-closure table above departs from a dreamed frame).", "",
             "| memory frames | 0-16 | 16-48 | 48-112 |", "| --- | --- | --- | --- |"]
    for m, rr in ret["by_memory_frames"].items():
        lines.append(f"| {m} | " + " | ".join(f"{b['rate']:.2f} (SSIM {b['mean_ssim']:.2f})"
                                             for b in rr["buckets"].values()) + " |")
    lines += ["", f"Paper, DMLab (Table 1), best compressed memory at 16-48: {paper.BEST_RETRIEVAL_16_48}.", "",
              "![retrieval vs decay](pareto.png)", "",
              "## Closer to its own truth (secondary)", "",
              f"Dream of script A closer (MSE over {af['steps']} steps) to the truth of A than to the truth of B: "
              f"**{af['rate']:.0%}** of {af['comparisons']} comparisons (pairs: "
              f"{', '.join('/'.join(p) for p in af['pairs'])})."
              + (f" {details[0].upper()}{details[1:]}." if details else "")
              + (f" {ceiling}." if ceiling else "") + (f" {geometry}." if geometry else ""), ""]
    if r.get("samplers"):
        ea = r["error_accumulation"]
        lines += ["## Sampler settings", "",
                  "Same rollouts for each setting (fewer than above); tuned: the checkpoint's recommendation, "
                  "untuned: clean context, no guidance (the world memory on in both).", "",
                  "| preset | re-conditioned | tuned | " + " | ".join(ea["buckets"]) + " |",
                  "| --- | --- | --- |" + " --- |" * len(ea["buckets"])]
        for row in r["samplers"]:
            lines.append(f"| {row['preset']} | {'yes' if row['recondition'] else 'no'} | "
                         f"{'yes' if row.get('tuned', True) else 'no'} | "
                         + " | ".join(f"{b['psnr']:.2f}" for b in row["buckets"].values()) + " |")
        lines.append("")
    t = r["throughput"]
    lines += ["## Throughput", "", f"{t['threads']} threads on {t['device']}:", "",
              "| preset | ticks/s | model ms | decode ms | latency (ticks) |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {x['preset']} | {x['ticks_per_s']} | {x['model_ms']} | {x['decode_ms']} | {x['latency_ticks']} |"
              for x in t["presets"]]
    return lines


def _changes_words(r: dict) -> str:
    """The sampler settings `playground eval --set` changed for every dream, in words."""
    changes = r.get("settings", {}).get("sampler")
    if not changes:
        return ""
    return " Every dream here with " + ", ".join(f"`{k}={v}`" for k, v in changes.items()) + " (`--set`)."


def markdown(r: dict) -> str:
    lines = [f"# playground eval{' (quick)' if r['quick'] else ''}", "",
             f"Checkpoint `{r['checkpoint']}` (sha256 `{r['checkpoint_sha256'][:12]}`), held-out world seeds "
             f"(>= 1,000,500; training used seeds < 1,000,000). Shipped settings: `frame` sampler with 2 steps, "
             f"{tuning_words(r['sampler_defaults'])}, every tick drawn from the world memory's picture. Network "
             f"alone: the same without the world memory.{_changes_words(r)} {r['seconds']:.0f} s.", "",
             "## Headline", "", *headline_table(r), "",
             "Rates are shares of segments, trials or ticks; sharpness and change are ratios to the world "
             "(1 = as the world). The baselines see only the start frame: held forever, or its mean colour.", ""]
    lines += _idm_section(r) + _loops_section(r) + _free_play_section(r) + _pose_section(r) + _action_use(r)
    lines += _accumulation(r) + _older(r)
    if r.get("seconds_by_part"):
        lines += ["", "Seconds by part: " + ", ".join(f"{k.replace('_', ' ')} {v:.0f}"
                                                     for k, v in r["seconds_by_part"].items()) + "."]
    return "\n".join(lines) + "\n"
