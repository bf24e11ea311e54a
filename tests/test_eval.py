import json

import numpy as np

from playground.eval.metrics import mean_ci, psnr, ssim
from playground.eval.retrieval import return_trip
from playground.voxel import VoxelWorld


def test_metrics():
    a = np.random.default_rng(0).integers(0, 255, (2, 32, 32, 3), dtype=np.uint8)
    assert np.isinf(psnr(a, a)).all() or (psnr(a, a) > 90).all()
    assert np.allclose(ssim(a, a), 1.0)
    assert (ssim(a, 255 - a) < 0.5).all()
    m, ci = mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and ci > 0


def test_return_trips_come_back_to_the_start_view():
    for gap in (6, 30, 44):          # turning trips return exactly
        w = VoxelWorld()
        start = w.reset(7)
        acts = return_trip(gap)
        assert len(acts) == gap
        for a in acts:
            end = w.step(a)
        assert np.array_equal(start, end), gap


def test_eval_quick_writes_report(toy_report):
    report, tmp_path = toy_report
    data = json.loads((tmp_path / "report.json").read_text())
    assert "error_accumulation" in data and "retrieval" in data
    assert set(data["retrieval"]["buckets"]) == {"0-16", "16-48", "48-112"}
    assert list(data["error_accumulation"]["buckets"]) == ["1-16"]
    assert (tmp_path / "report.md").read_text().startswith("# playground eval")
    for png in ("psnr_per_step.png", "pareto.png", "free_play.png", "free_play_frames.png", "loop_examples.png"):
        assert (tmp_path / png).stat().st_size > 1000
    md = (tmp_path / "report.md").read_text()
    for source in ("shipped", "network alone", "start frame held", "mean colour", "world (ceiling)"):
        assert source in report["action_accuracy"]["random"] and source in report["loop_closure"]
        assert source in md
    from_world = report["loop_closure_from_world"]          # no lead-in: the world's own return passes
    assert {"shipped", "start frame held", "mean colour", "world (ceiling)", "another world",
            "kept + another world"} <= set(from_world)
    assert "kept + another world" not in report["loop_closure"] and "| kept + another world |" in md
    assert "moved_away_seen" in from_world["shipped"] and "moved_away_seen" not in report["loop_closure"]["shipped"]
    assert "| moved away on seen ground, from the world's frame |" in md
    assert from_world["world (ceiling)"]["revisit"] == 1.0 and "### From the world's frame" in md
    assert "| loop revisit from the world's frame |" in md
    world = report["action_accuracy"]["scripted"]["world (ceiling)"]      # the shipped IDM on the world
    assert world["keyboard"]["accuracy"] >= 0.8 and world["camera"]["accuracy"] >= 0.9
    assert report["idm"]["file"] == "checkpoints/idm.safetensors" and report["checkpoint"].endswith("toy.safetensors")
    assert len(report["free_play"]["series"]["shipped"]["sharpness"]) == 1
    assert report["action_use"]["ratio"] > 0 and "## Headline" in md
    assert 0 <= report["action_following"]["rate"] <= 1
    assert set(report["baselines"]) == {"start frame held", "mean colour"}
    assert set(report["following_ceiling"]) == {"rowmean", "edge"}       # the eval's pairs include turns
    assert set(report["geometry_ceiling"]["by_script"]) == set(report["action_following"]["by_script"])
    assert "knew the world's geometry for every action" in (tmp_path / "report.md").read_text()
    assert "exact geometry" in (tmp_path / "report.md").read_text()
    assert set(report["action_following"]["by_script"]) == {n for p in report["action_following"]["pairs"] for n in p}
    assert [(r["recondition"], r["tuned"]) for r in report["samplers"]] == [(True, True), (False, False)]
    assert "action guidance 0" in (tmp_path / "report.md").read_text()
    assert report["pose"]["seeds"] == 1 and "## Pose" in md
    assert list(report["memories"]) == ["both", "world memory only", "compressed tokens only", "neither"]
    assert "| yes | no | " in md and "| no | no | " in md                  # what each memory adds
    assert report["pose"]["dead reckoning"]["median"] >= 0 and report["pose"]["world's depth"]["median"] >= 0


def test_tune_ranks_the_grid_and_names_the_export_flags(toy_checkpoint, capsys):
    from playground.eval.tune import main
    assert main(["--checkpoint", str(toy_checkpoint), "--labels", "0,40", "--guidance", "0,1", "--seeds", "1",
                 "--steps", "3", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count('"score"') == 4 and "best: --set sampler.context_label=" in out
    assert "--set sampler.guidance_on=" in out and "| turn warp |" not in out


class Frozen:
    """A dream that shows its start frame forever."""

    def __init__(self):
        self.world = VoxelWorld()

    def reset(self, seed):
        self.frame = self.world.reset(seed)
        return self.frame

    def step(self, action):
        return self.frame


def test_baselines_hold_the_start_frame_or_its_mean_colour():
    from playground.eval.batched import held_start, mean_colour, world_rollouts
    from playground.eval.rollouts import accumulation, accumulation_jobs
    jobs, acts = accumulation_jobs([5], ("still", "turn_left"), 4)
    truth, _ = world_rollouts([s for s, _ in jobs], acts)
    held = accumulation(held_start(truth), truth, jobs)
    flat = accumulation(mean_colour(truth), truth, jobs)
    assert held["by_script"]["still"] > 99 and held["by_script"]["turn_left"] < 40     # exact while still
    assert 5 < flat["by_script"]["still"] < 30


def test_action_following_response_is_one_for_the_world_and_zero_for_a_frozen_dream():
    from playground.eval.rollouts import action_following
    pairs = (("walk", "still"), ("turn_left", "turn_right"))
    exact = action_following(VoxelWorld(), [5], steps=4, pairs=pairs, progress=False)
    frozen = action_following(Frozen(), [5], steps=4, pairs=pairs, progress=False)
    assert exact["rate"] == 1 and all(abs(v - 1) < 1e-9 for v in exact["response"].values())
    assert all(v == 0 for v in frozen["response"].values()) and frozen["by_script"]["walk"] == 0
    assert exact["by_pair"] == {"walk/still": 1.0, "turn_left/turn_right": 1.0}
    assert frozen["by_pair"]["walk/still"] == 0.5      # the frozen dream is "still": right for still only


def _report(psnr_late: float, rate: float) -> dict:
    return {"checkpoint": "c.safetensors", "checkpoint_sha256": "ab" * 32, "sampler_defaults": {},
            "error_accumulation": {"buckets": {"49-64": {"psnr": psnr_late}}, "by_script": {"walk": psnr_late}},
            "action_following": {"rate": rate, "by_script": {"walk": rate}, "response": {"walk/still": 0.5}}}


def test_compare_shows_each_candidates_difference_from_the_baseline(tmp_path, capsys):
    import pytest
    from playground.eval.compare import main
    for name, r in (("base", _report(13.5, 0.75)), ("cand", _report(14.25, 0.8125))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(r))
    assert main([str(tmp_path / "base"), str(tmp_path / "cand" / "report.json")]) == 0
    out = capsys.readouterr().out
    assert "| PSNR steps 49-64 | 13.50 | 14.25 (+0.75) |" in out
    assert "| action following | 0.75 | 0.812 (+0.062) |" in out
    (tmp_path / "bad.json").write_text("{")
    for argv, words in (([str(tmp_path / "base"), str(tmp_path / "missing")], "playground eval --out"),
                        ([str(tmp_path / "base"), str(tmp_path / "bad.json")], "not a readable eval report"),
                        ([str(tmp_path / "base")] * 2, "named twice")):
        with pytest.raises(SystemExit):
            main(argv)
        assert words in capsys.readouterr().err


def test_eval_set_changes_every_dream_and_refuses_what_the_eval_chooses(toy_checkpoint, tmp_path, capsys):
    import pytest
    from playground.cli import main
    from playground.config import ConfigError
    from playground.dream.load import load_dream
    from playground.eval.report import eval_dream, sampler_changes
    from playground.eval.report_md import _changes_words
    assert sampler_changes(None) == {} and sampler_changes({"memory_sure_level": 60}) == {"memory_sure_level": 60}
    for changes, words in (({"schedule": "frame-4"}, "chooses schedule itself"),
                           ({"memory_surelevel": 60}, "not a sampler setting"),
                           ({"memory_sure_level": 0}, "memory_sure_level must be a noise level")):
        with pytest.raises(ConfigError, match=words):
            sampler_changes(changes)
    models = load_dream(toy_checkpoint)
    assert eval_dream(models, 0, changes={"memory_sure_level": 60}).settings.memory_sure_level == 60
    assert eval_dream(models, 0).settings.memory_sure_level is None
    assert _changes_words({"settings": {"sampler": {"memory_sure_level": 60}}}) == \
        " Every dream here with `memory_sure_level=60` (`--set`)."
    assert _changes_words({"settings": {"sampler": {}}}) == ""
    assert main(["eval", "--out", str(tmp_path), "--set", "world_memory=false"]) != 0   # refused before running
    assert "chooses world_memory itself" in capsys.readouterr().err
