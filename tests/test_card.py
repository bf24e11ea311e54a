"""The model card is written from measured inputs only (logs, eval report, tuning)."""
import json

import pytest

from playground import checkpoint
from playground.eval.card import CardError, card, measured_only, refresh
from playground.model.autoencoder import AEConfig, Autoencoder
from playground.train.average import average


def _log(path, segments):
    rows = []
    step = 0
    for seconds in segments:                       # one resumed run per segment
        for t in range(1, 4):
            step += 25
            rows.append({"step": step, "loss": 0.5, "samples_per_s": 14.0, "elapsed_s": seconds * t / 3})
    path.mkdir(parents=True, exist_ok=True)
    (path / "log.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_card_from_measured_inputs(tmp_path, toy_checkpoint, toy_report):
    ae = Autoencoder(AEConfig(widths=(16, 16), blocks=1, decoder_blocks=(1, 1)))
    _log(tmp_path / "ae", [600])
    checkpoint.save(tmp_path / "ae" / "ae.safetensors", {"ae": ("conv-ae", ae.cfg, ae)},
                    extra={"heldout_psnr_db": 33.1})
    _log(tmp_path / "dit", [1200, 1800])
    report = json.loads(json.dumps(toy_report[0]))
    report["quick"] = False
    report["error_accumulation"]["buckets"]["1-16"]["psnr"] = 18.2
    report["action_following"]["rate"] = 0.75
    report["action_use"]["ratio"] = 1.234
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "report.json").write_text(json.dumps(report))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "meta.json").write_text(json.dumps(
        {"config": {"episodes": 8, "ticks": 16, "seed": 0, "revisit_fraction": 0.3}}))
    recipe = tmp_path / "recipe.sh"
    recipe.write_text("playground datagen --out data\nplayground train dit --set train.stop_after=150\n")
    tune = {"seeds": 6, "steps": 32, "rows": [{"context_label": 30, "action_guidance": 1.0, "psnr": 16.0,
                                               "follow_rate": 0.8, "score": 24.0}]}
    text = card(toy_checkpoint, tmp_path / "ae", tmp_path / "dit", tmp_path / "eval", tmp_path / "data",
                tune=tune, recipe=recipe)
    assert "150 steps in 2 resumed runs" in text and "50 min" in text       # 20 + 30 minutes
    assert "**33.10 dB**" in text and "by 16-step bucket: 18.20" in text and "in 75% of" in text
    assert "train.stop_after=150" in text and "| 30 | 1 | 0 | all | 16.00 | 80% | 24.00 |" in text
    assert "noise level **0**, action guidance **0**" in text                # no defaults in the file
    assert "| figure | shipped | network alone | start frame held | mean colour | world (ceiling) |" \
        in text
    assert "**1.234** times the loss" in text and "IDM keyboard accuracy, scripted" in text and "The IDM (`" in text
    assert "8 episodes x 16 ticks" in text and "70% exploring" in text and "30% revisiting" in text
    assert text.startswith("---\nlicense: mit\n") and "## Uses" in text and "## Citation" in text
    # A DiT trained on several dataset folders: each is described, from its own meta.json.
    (tmp_path / "steady").mkdir()
    (tmp_path / "steady" / "meta.json").write_text(json.dumps(
        {"config": {"episodes": 4, "ticks": 16, "seed": 200, "revisit_fraction": 0, "steady_fraction": 1}}))
    text = card(toy_checkpoint, tmp_path / "ae", tmp_path / "dit", tmp_path / "eval",
                [tmp_path / "data", tmp_path / "steady"], tune=tune, recipe=recipe)
    assert "`steady`: 4 episodes x 16 ticks" in text and "(world seeds 200..203), 100% steady" in text
    assert "The autoencoder trained on the first; the DiT on all of them." in text
    # --refresh: a new checkpoint's measured sections replace the old ones; the hand-kept
    # Training text stays (a fine-tune whose earlier logs are elsewhere).
    old = text.replace("150 steps in 2 resumed runs", "150 steps, then 40 fine-tuning steps")
    report["error_accumulation"]["buckets"]["1-16"]["psnr"] = 19.5
    (tmp_path / "eval" / "report.json").write_text(json.dumps(report))
    new = refresh(old, toy_checkpoint, tmp_path / "eval", [tmp_path / "data"], tune=tune, recipe=recipe)
    assert "then 40 fine-tuning steps" in new and "by 16-step bucket: 19.50" in new
    assert "bucket: 18.20" not in new and "`steady`" not in new                # Data follows the given folders
    assert new.count("## Measured") == 1 and new.index("## Training") < new.index("## Measured")
    # --measured-only: the same weights measured again; only the Measured section changes.
    report["error_accumulation"]["buckets"]["1-16"]["psnr"] = 20.25
    (tmp_path / "eval" / "report.json").write_text(json.dumps(report))
    only = measured_only(new, tmp_path / "eval")
    assert "bucket: 20.25" in only and "bucket: 19.50" not in only and only.count("## Measured") == 1
    assert only.split("## Measured")[0] == new.split("## Measured")[0]
    # A weight average names its sources in the file line.
    soup = tmp_path / "soup.safetensors"
    average([toy_checkpoint, toy_checkpoint], soup, weights=[3, 1])
    new = refresh(old, soup, tmp_path / "eval", [tmp_path / "data"], tune=tune, recipe=recipe)
    assert f"0.75 x `{toy_checkpoint.name}` (sha256 `{checkpoint.sha256(toy_checkpoint)[:12]}`)" in new
    with pytest.raises(CardError, match="no section '## Reproduce'"):
        refresh(old.split("## Reproduce")[0], toy_checkpoint, tmp_path / "eval", [tmp_path / "data"])


def test_log_stops_at_the_checkpoint_step(tmp_path):
    from playground.eval.card import _log as read_log
    _log(tmp_path, [1200, 1800, 600])                # steps 75, 150, 225; the third run came after export
    shipped = read_log(tmp_path, until=150)
    assert shipped["steps"] == 150 and shipped["runs"] == 2 and round(shipped["minutes"]) == 50
    assert read_log(tmp_path)["runs"] == 3


def test_the_sampler_section_says_a_retired_turn_warp_level_is_not_read():
    from playground.eval.card import _sampler
    sd = {"context_label": 160, "action_guidance": 4.0, "guidance_min_level": 0, "guidance_on": "keys"}
    plain = "\n".join(_sampler({"extra": {"sampler": sd}}, None, None))
    older = "\n".join(_sampler({"extra": {"sampler": {**sd, "turn_warp_level": 350}}}, None, None))
    assert "world memory's picture" in plain and "--no-world-memory" in plain and "turn warp" not in plain
    assert "names a turn warp level, which no sampler reads now" in older


def test_the_shipped_card_shows_the_shipped_recipe():
    """checkpoints/README.md's Reproduce block is checkpoints/recipe.sh, line for line: the
    card is edited by hand between `playground card` runs, and a stale copy misleads."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[1] / "checkpoints"
    lines = (root / "README.md").read_text().split("\n")
    start = lines.index("```bash", lines.index("## Reproduce"))
    end = lines.index("```", start + 1)
    assert lines[start + 1:end] == (root / "recipe.sh").read_text().strip().split("\n")
