import json
import os
import subprocess
import sys

import pytest

from playground.cli import main


def test_help_lists_subcommands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for cmd in ("play", "datagen", "train", "bench"):
        assert cmd in out


def test_headless_play_prints_summary(capsys):
    assert main(["play", "--world", "voxel", "--headless", "--ticks", "30", "--seed", "5"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ticks"] == 30 and summary["seed"] == 5 and len(summary["frames_sha256"]) == 64


def test_headless_play_is_deterministic(capsys):
    main(["play", "--world", "voxel", "--headless", "--ticks", "20", "--seed", "9"])
    a = json.loads(capsys.readouterr().out)["frames_sha256"]
    main(["play", "--world", "voxel", "--headless", "--ticks", "20", "--seed", "9"])
    assert json.loads(capsys.readouterr().out)["frames_sha256"] == a


def test_no_display_gives_advice_not_traceback():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    r = subprocess.run([sys.executable, "-m", "playground.cli", "play", "--world", "voxel", "--ticks", "3"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "--headless" in r.stderr and "Traceback" not in r.stderr


def test_windowed_play_under_dummy_driver(capsys):
    assert main(["play", "--world", "voxel", "--ticks", "5", "--seed", "1", "--scale", "2"]) == 0
    assert "played 5 ticks" in capsys.readouterr().out


def test_bad_config_override_is_a_clear_error(capsys, tmp_path):
    assert main(["train", "ae", "--data", str(tmp_path), "--out", str(tmp_path), "--set", "oops"]) == 2
    assert "key=value" in capsys.readouterr().err


def test_bench_reports_frames_per_second(capsys, tmp_path):
    out = tmp_path / "b.json"
    assert main(["bench", "--world", "voxel", "--seeds", "1", "--ticks", "20", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["render_fps"] > 0 and data["ticks_per_s"] > 0


def test_dream_bench_on_a_toy_checkpoint(capsys, tmp_path, toy_checkpoint):
    out = tmp_path / "d.json"
    assert main(["bench", "--checkpoint", str(toy_checkpoint), "--presets", "frame-2", "progressive-4",
                 "--ticks", "5", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["presets"]
    assert [r["preset"] for r in rows] == ["frame-2", "progressive-4"]
    for r in rows:
        assert r["ticks_per_s"] > 0 and r["precision"] in ("fp32", "bf16")
        assert r["latency_ticks"] is not None and r["latency_ticks"] <= r["latency_ticks_no_recondition"]


def test_vector_bench_on_a_toy_checkpoint(capsys, toy_checkpoint):
    assert main(["bench", "--checkpoint", str(toy_checkpoint), "--vector", "2", "--ticks", "2"]) == 0
    assert "ratio" in capsys.readouterr().out
    assert main(["bench", "--checkpoint", str(toy_checkpoint), "--vector", "2", "--ticks", "2", "--guidance", "1"]) == 0
    assert "action guidance 1" in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["play", "--headless", "--ticks", "-5"], "argument --ticks: must be at least 1, got -5"),
    (["play", "--headless", "--seed", "-1"], "argument --seed: must be at least 0, got -1"),
    (["play", "--tick-rate", "0"], "argument --tick-rate: must be above 0, got 0"),
    (["play", "--steps", "x"], "argument --steps: invalid integer value: 'x'"),
    (["datagen", "--out", "d", "--ticks", "1"], "argument --ticks: must be at least 2, got 1"),
    (["datagen", "--out", "d", "--shard-size", "0"], "argument --shard-size: must be at least 1, got 0"),
    (["export", "rec", "--fps", "nan"], "argument --fps: must be above 0, got nan"),
    (["bench", "--seeds", "0"], "argument --seeds: must be at least 1, got 0"),
    (["play", "--headless", "--policy", "dance"], "argument --policy: invalid choice: 'dance'"),
    (["bench", "--presets", "frame-2", "foo"], "argument --presets: invalid choice: 'foo'"),
])
def test_counts_and_rates_out_of_range_are_refused_by_name(capsys, argv, words):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2 and words in capsys.readouterr().err


def test_a_sampler_setting_out_of_range_is_refused_by_the_settings(capsys):
    assert main(["play", "--headless", "--guidance-min-level", "5000"]) != 0
    err = capsys.readouterr().err
    assert "guidance_min_level must be a noise level in 0..999" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv, words", [
    (["--world", "voxel", "--bf16", "--guidance", "2"], "--bf16, --guidance only apply to --world dream"),
    (["--world", "voxel", "--device", "cuda"], "--device only applies to --world dream"),
    (["--world", "voxel", "--no-world-memory"], "--no-world-memory only applies to --world dream"),
    (["--width", "32"], "--width only applies to --world voxel (the dream draws at its checkpoint's frame size)"),
])
def test_an_option_of_the_other_world_is_refused_not_ignored(capsys, argv, words):
    assert main(["play", "--headless", "--ticks", "2", *argv]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("argv, words", [
    (["--world", "voxel", "--checkpoint", "x.safetensors"], "--checkpoint: not used when measuring --world voxel"),
    (["--vector", "2", "--memory-ticks", "3"], "one measurement at a time: --vector and --memory-ticks"),
    (["--vector", "2", "--presets", "frame-2"], "--presets: not used when measuring --vector"),
    (["--guidance", "2", "--seeds", "2"], "--guidance, --seeds: not used when measuring the dream's presets"),
])
def test_bench_refuses_options_its_measurement_would_ignore(capsys, argv, words):
    assert main(["bench", *argv]) == 2
    assert words in capsys.readouterr().err


def test_an_unknown_option_is_refused_by_its_command(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["export", "rec", "--out", "clip.gif"])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and "usage: playground export" in err
    assert "playground export: error: unrecognized arguments: --out clip.gif" in err


def test_a_path_that_cannot_be_written_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    argv = ["bench", "--world", "voxel", "--seeds", "1", "--ticks", "2", "--json", str(blocker / "out.json")]
    assert main(argv) == 2
    assert f"error: [Errno 20] Not a directory: '{blocker / 'out.json'}'" in capsys.readouterr().err


def test_a_bad_keymap_is_refused_before_the_dream_loads(capsys, tmp_path, monkeypatch):
    import playground.cli as cli

    def no_world(args):
        raise AssertionError("the world was built before the keymap was checked")
    monkeypatch.setattr(cli, "make_world", no_world)
    assert main(["play", "--keymap", str(tmp_path / "missing.yaml")]) == 2
    assert "keymap file" in capsys.readouterr().err
