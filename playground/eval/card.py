"""Write the model card (checkpoints/README.md) from the shipped file, the training runs'
logs and a `playground eval` report, so every number in it is measured.

    python -m playground.eval.card --checkpoint checkpoints/tiny.safetensors --ae-run runs/ae \\
        --dit-run runs/dit --eval out/eval --data data/voxel64 --bench out/bench_dream.json \\
        --tune out/tune.json --recipe checkpoints/recipe.sh --out checkpoints/README.md

With `--refresh` (no run logs needed) it rewrites only the measured sections of the card
at --out for a new checkpoint, keeping the Training and Limitations text as written: for a
fine-tune whose earlier runs' logs are elsewhere.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from playground import checkpoint
from playground.errors import PlaygroundError
from playground.eval.card_text import CITATION, FRONT_MATTER, GET_STARTED, USES
from playground.eval.tune import table as tune_table
from playground.train.datagen import POLICY_FRACTIONS


def _log(run: Path, until: int | None = None) -> dict:
    """Steps, wall minutes (summed over resumed runs: elapsed_s restarts with each), final
    loss and throughput from a run's log.jsonl, up to step `until` (the checkpoint's: the
    run may have trained on after it was exported)."""
    rows = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines() if line.strip()]
    rows = [r for r in rows if until is None or r["step"] <= until] or rows
    seconds, prev = 0.0, 0.0
    for r in rows:
        if r["elapsed_s"] < prev:        # a resumed run starts its clock again
            seconds += prev
        prev = r["elapsed_s"]
    tail = rows[-8:]
    return {"steps": rows[-1]["step"], "minutes": (seconds + prev) / 60, "runs": 1 + sum(
        b["elapsed_s"] < a["elapsed_s"] for a, b in zip(rows, rows[1:])),
        "loss": sum(r["loss"] for r in tail) / len(tail),
        "samples_per_s": sum(r["samples_per_s"] for r in tail) / len(tail)}


class CardError(PlaygroundError, ValueError):
    """The existing card cannot be refreshed (a section is missing)."""


def _params(tensors: dict, prefix: str) -> int:
    return sum(v.numel() for k, v in tensors.items() if k.startswith(prefix + "."))


POLICY_WORDS = {
    "explore": "exploring (sticky keys, turns, jumps, sprint, break/place, a jittering camera)",
    "revisit": "revisiting (turn away, walk off, come back)",
    "steady": "steady (exact held actions: standing still, walking straight, turning at one rate)",
    "stroll": "strolling (long walks on plain W that hop or turn only when the world blocks them)"}


def _data_text(folders: list[Path]) -> str:
    """One sentence per dataset folder, from its meta.json."""
    parts = []
    for folder in folders:
        c = json.loads((folder / "meta.json").read_text())["config"]
        shares = {k: c.get(f"{k}_fraction", 0.0) for k in POLICY_FRACTIONS}
        shares = {"explore": 1 - sum(shares.values()), **shares}
        mix = " and ".join(f"{int(round(100 * v))}% {POLICY_WORDS[k]}" for k, v in shares.items() if v > 0)
        parts.append(f"`{folder.name}`: {c['episodes']} episodes x {c['ticks']} ticks of the voxel world at "
                     f"{c.get('width', 64)}x{c.get('height', 64)} (world seeds {c['seed']}..{c['seed'] + c['episodes'] - 1}), {mix}.")
    return " ".join(parts)


def _file_line(ckpt: Path, meta: dict) -> str:
    sources = meta.get("extra", {}).get("average")
    mix = (" Its weights are the weighted mean (`playground average`) of " + ", ".join(
        f"{s['weight']:.2f} x `{s['file']}` (sha256 `{s['sha256'][:12]}`)" for s in sources) + "."
        if sources else "")
    return (f"File `{ckpt.name}`: {ckpt.stat().st_size / 2**20:.1f} MiB, fp16 safetensors, sha256 "
            f"`{checkpoint.sha256(ckpt)}`. It holds both networks and their configs (safetensors metadata).{mix}")


def _networks(tensors: dict, meta: dict) -> list[str]:
    ae_cfg, dit_cfg = meta["models"]["ae"]["config"], meta["models"]["dit"]["config"]
    return [
        "## Networks", "",
        f"- Autoencoder (`conv-ae`, {_params(tensors, 'ae') / 1e6:.2f}M parameters): 64x64 RGB <-> "
        f"{ae_cfg['latent_channels']}x16x16 latent; widths {ae_cfg['widths']}, pixel (un)shuffle "
        f"{ae_cfg['patch']}, latent scale {ae_cfg['latent_scale']}.",
        f"- DiT (`st-dit`, {_params(tensors, 'dit') / 1e6:.2f}M parameters): patch {dit_cfg['patch']} "
        f"(64 tokens/frame), width {dit_cfg['dim']}, {dit_cfg['depth']} spatio-temporal blocks, "
        f"{dit_cfg['heads']} heads, window {dit_cfg['max_frames']} frames, memory bank "
        f"{dit_cfg['memory_frames']} frames x {dit_cfg['memory_tokens']} tokens; v-prediction, sigmoid "
        "schedule over 1000 levels (`playground/model/diffusion.py`).", ""]


def _data(folders: list[Path]) -> list[str]:
    return ["## Data", "",
            f"`playground datagen`: {_data_text(folders)}"
            + (" The autoencoder trained on the first; the DiT on all of them." if len(folders) > 1 else "")
            + " Evaluation uses only seeds >= 1,000,000.", ""]


def _training(ae_run: Path, dit_run: Path, dit_train: dict) -> tuple[list[str], dict, dict]:
    """The training section and the two runs' logs (see _log)."""
    _, ae_meta = checkpoint.read(ae_run / "ae.safetensors")
    ae_log, dit_log = _log(ae_run), _log(dit_run, until=dit_train.get("steps"))
    # The export records the step of the saved state; older logs may lack a row for it.
    dit_log["steps"] = dit_train.get("steps") or dit_log["steps"]
    changes = (f"; with `transition_prob={dit_train['transition_prob']:g}` (the last run), that share of the "
               "clips was placed so that an action "
               "change (movement keys or turning direction) falls on their last 4 frames, so the model "
               "learns to start and stop on the key rather than continue the motion it sees"
               if dit_train.get("transition_prob") else "")
    ctx_range = (f" (0 to {dit_train['max_context_level']} of 1000 in the last run)"
                 if "max_context_level" in dit_train else "")
    return ["## Training (2 CPU cores, no GPU)", "",
            f"- Autoencoder: {ae_log['steps']} steps, batch 32, AdamW lr 2e-3 cosine, L1 + MSE with latent "
            f"noise, EMA; {ae_log['minutes']:.0f} min. Held-out reconstruction PSNR "
            f"**{ae_meta['extra']['heldout_psnr_db']:.2f} dB** (1,024 frames of 16 held-out episodes).",
            f"- DiT: {dit_log['steps']} steps in {dit_log['runs']} resumed runs (exact commands below), batch 16 "
            f"clips of 12 frames, AdamW lr 5e-4 cosine, EMA 0.999, bf16 autocast; noise levels mixed per clip "
            f"(25% independent per frame, 40% progressive staircases, 35% context + noisy newest), context "
            f"frames noised to a random small level{ctx_range} and labelled with it (noise augmentation); memory "
            f"trained on half the batches from the frames before the clip{changes}; {dit_log['minutes']:.0f} min "
            f"at {dit_log['samples_per_s']:.0f} clips/s; final loss {dit_log['loss']:.3f}.", ""], ae_log, dit_log


def _measured(rep: dict) -> list[str]:
    from playground.eval.report_md import headline_table, idm_words
    ea, af, ret = rep["error_accumulation"], rep["action_following"], rep["retrieval"]
    u = rep["action_use"]
    return [
        "## Measured (held-out seeds)", "",
        f"`playground eval` ({'quick' if rep['quick'] else 'full'} run; `assets/results/report.md` has every table): "
        "the shipped settings below, the network alone (without the world memory), two trivial "
        "predictors that see only the start frame, and the world's own frames as the ceiling.", "",
        *headline_table(rep), "",
        f"- {idm_words(rep)}",
        f"- Does the model use its actions? Its training loss on held-out clips with another clip's actions is "
        f"**{u['ratio']:.3f}** times the loss with their own (1 = ignored).",
        f"- Error accumulation over {ea['rollouts']} open-loop rollouts of {ea['steps']} steps, PSNR (dB) by "
        "16-step bucket: " + " / ".join(f"{v['psnr']:.2f}" for v in ea["buckets"].values()) + " (network alone "
        + " / ".join(f"{v['psnr']:.2f}" for v in rep["network_alone"]["error_accumulation"]["buckets"].values())
        + ").",
        f"- Secondary, the older measures: the dream of script A is closer to the truth of A than to the truth of B "
        f"in {af['rate']:.0%} of {af['comparisons']} comparisons; memory retrieval (SSIM >= "
        f"{ret['threshold']:.1f} at the return to the world's start frame), gaps 0-16 / 16-48 / 48-112: "
        + " / ".join(f"{v['rate']:.2f}" for v in ret["buckets"].values()) + ".", ""]


def _sampler(meta: dict, tune: dict | None, bench: dict | None) -> list[str]:
    from playground.dream.memory_warp import MEMORY_LEVEL, MIN_COVER
    sd = meta.get("extra", {}).get("sampler", {"context_label": 0, "action_guidance": 0.0})
    interval = (f" on frames at noise level >= **{sd['guidance_min_level']}** (`--guidance-min-level`)"
                if sd.get("guidance_min_level") else "")
    if sd.get("action_guidance") and sd.get("guidance_on") == "keys":
        interval += " on the keys only, turns left as learned (`--guidance-on keys`)"
    L = ["## Recommended sampler settings", "",
         f"Stored in the file's metadata and used by default: context frames shown at noise level "
         f"**{sd['context_label']}**, action guidance **{sd['action_guidance']:g}**{interval} "
         "(`--context-label`, `--guidance`, `--guidance-min-level`, `--guidance-on` override them)."
         + (" The file also names a turn warp level, which no sampler reads now: the world memory replaced the "
            "turn warp." if sd.get("turn_warp_level") else ""), "",
         "Every tick's last denoising call starts from the world memory's picture of the new pose "
         "(`playground/dream/memory_warp.py`: the shipped depth network lifts each frame shown, the pose follows "
         f"the actions, a bounded point cloud keeps what was shown), noised to level {MEMORY_LEVEL}, wherever it "
         f"covers {MIN_COVER:.0%} of the view; `--no-world-memory` switches it off.", ""]
    if tune:
        L += [f"Chosen by `python -m playground.eval.tune` on tuning seeds no report uses ({tune['seeds']} "
              f"seeds, rollouts of {tune['steps']} steps; score = mean PSNR + 10 dB x action-following rate):", "",
              tune_table(tune["rows"]), ""]
        if tune.get("note"):
            L += [tune["note"], ""]
    if bench:
        L += ["Real-time play on this 2-core CPU (`playground bench`):", "",
              "| preset | ticks/s | model ms | decode ms | latency (ticks) | precision |",
              "| --- | --- | --- | --- | --- | --- |",
              *[f"| {r['preset']} | {r['ticks_per_s']} | {r['model_ms']} | {r['decode_ms']} | {r['latency_ticks']} | "
                f"{r['precision']} |" for r in bench["presets"]], ""]
    return L


def _reproduce(recipe: Path | None, fallback: list[str]) -> list[str]:
    steps = recipe.read_text().strip().splitlines() if recipe else fallback
    return ["## Reproduce", "", f"`{recipe}`:" if recipe else "", "", "```bash", *steps, "```", ""]


def _limitations(hours: float) -> list[str]:
    return ["## Limitations", "",
            f"- Trained for {hours:.1f} hours on two CPU cores: the dream "
            "is blurry, drifts over long rollouts, turns the view less than the truth does, and does not know "
            "blocks it never saw (e.g. the magenta marker of the agent task).",
            "- It dreams only this voxel world at 64x64; it knows nothing of real Minecraft.",
            "- Memory of places out of view is weak (see the retrieval rates above).", ""]


def card(ckpt: Path, ae_run: Path, dit_run: Path, eval_dir: Path, data: Path | list[Path], bench: dict | None = None,
         tune: dict | None = None, recipe: Path | None = None) -> str:
    tensors, meta = checkpoint.read(ckpt)
    dit_train = meta.get("extra", {}).get("dit_train", {})
    training, ae_log, dit_log = _training(ae_run, dit_run, dit_train)
    rep = json.loads((eval_dir / "report.json").read_text())
    folders = [data] if isinstance(data, Path) else list(data)
    dmeta = json.loads((folders[0] / "meta.json").read_text())["config"]
    fallback = [
        f"playground datagen --out data/voxel64 --episodes {dmeta['episodes']} --ticks {dmeta['ticks']}",
        f"playground train ae --data data/voxel64 --out runs/ae --set train.steps={ae_log['steps']}",
        f"playground train dit --data data/voxel64 --ae runs/ae/ae.safetensors --out runs/dit "
        f"--set train.steps={dit_log['steps']}",
        "cp runs/dit/model.safetensors checkpoints/tiny.safetensors", "playground eval --out out/eval"]
    L = [*FRONT_MATTER, "# Model card: `tiny` (the shipped dream)", "", _file_line(ckpt, meta), "",
         *USES, *GET_STARTED, *_networks(tensors, meta), *_data(folders), *training, *_measured(rep),
         *_sampler(meta, tune, bench), *_reproduce(recipe, fallback),
         *_limitations((ae_log["minutes"] + dit_log["minutes"]) / 60), *CITATION]
    return "\n".join(L)


def _sections(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """A card's lines before its first '## ' heading, and each section's lines by heading."""
    head, sections, current = [], {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line
            sections[current] = []
        (head if current is None else sections[current]).append(line)
    return head, sections


def _title(heading: str) -> str:
    """A section heading without its parenthesised note ("## Measured (held-out seeds)")."""
    return heading.split(" (")[0]


def measured_only(old: str, eval_dir: Path) -> str:
    """Rewrite only the Measured section of an existing card from a new report (same weights)."""
    head, sections = _sections(old)
    new = _measured(json.loads((eval_dir / "report.json").read_text()))
    if "## Measured" not in {_title(h) for h in sections}:
        raise CardError("the card has no section '## Measured' to refresh; write the whole card instead")
    out = list(head)
    for heading, lines in sections.items():
        out += new if _title(heading) == "## Measured" else lines
    return "\n".join(out)


def refresh(old: str, ckpt: Path, eval_dir: Path, data: list[Path], bench: dict | None = None,
            tune: dict | None = None, recipe: Path | None = None) -> str:
    """Rewrite the measured parts of an existing card for a new checkpoint: the file line and
    the Networks, Data, Measured, Recommended sampler settings and Reproduce sections. The
    Training and Limitations sections stay as written (hours of earlier runs whose logs are
    not at hand, e.g. for a fine-tune); edit them by hand."""
    tensors, meta = checkpoint.read(ckpt)
    head, sections = _sections(old)
    new = {_title(lines[0]): lines for lines in (_networks(tensors, meta), _data(data),
                                                 _measured(json.loads((eval_dir / "report.json").read_text())),
                                                 _sampler(meta, tune, bench), _reproduce(recipe, []))}
    missing = set(new) - {_title(h) for h in sections}
    if missing:
        raise CardError(f"the card has no section {sorted(missing)[0]!r} to refresh; write the whole card "
                        "(without --refresh) instead")
    out = [_file_line(ckpt, meta) if line.startswith("File `") else line for line in head]
    for heading, lines in sections.items():
        out += new.get(_title(heading), lines)
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description="write the model card from measured results")
    p.add_argument("--checkpoint", default="checkpoints/tiny.safetensors")
    p.add_argument("--ae-run", default="runs/ae")
    p.add_argument("--dit-run", default="runs/dit")
    p.add_argument("--eval", default="out/eval")
    p.add_argument("--data", nargs="+", default=["data/voxel64"], help="the dataset folder(s) the DiT trained on")
    p.add_argument("--bench", default=None, help="JSON from `playground bench --json`")
    p.add_argument("--tune", default=None, help="JSON from `python -m playground.eval.tune --out`")
    p.add_argument("--recipe", default="checkpoints/recipe.sh", help="the exact commands, shown under Reproduce")
    p.add_argument("--out", default="checkpoints/README.md")
    p.add_argument("--refresh", action="store_true",
                   help="rewrite only the measured sections of the card at --out for the checkpoint, keeping its "
                        "Training and Limitations text (when the earlier runs' logs are not at hand)")
    p.add_argument("--measured-only", action="store_true",
                   help="rewrite only the Measured section of the card at --out from --eval (the same weights)")
    a = p.parse_args(argv)
    recipe = Path(a.recipe) if a.recipe and Path(a.recipe).exists() else None
    try:   # a missing input (e.g. --tune before the tuning run) is a one-line error, not a traceback
        bench = json.loads(Path(a.bench).read_text()) if a.bench else None
        tune = json.loads(Path(a.tune).read_text()) if a.tune else None
        if a.measured_only:
            text = measured_only(Path(a.out).read_text(), Path(a.eval))
        elif a.refresh:
            text = refresh(Path(a.out).read_text(), Path(a.checkpoint), Path(a.eval), [Path(d) for d in a.data],
                           bench, tune, recipe)
        else:
            text = card(Path(a.checkpoint), Path(a.ae_run), Path(a.dit_run), Path(a.eval),
                        [Path(d) for d in a.data], bench, tune, recipe)
    except (PlaygroundError, FileNotFoundError) as e:
        raise SystemExit(f"card: error: {e}") from None
    Path(a.out).write_text(text.rstrip("\n") + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
