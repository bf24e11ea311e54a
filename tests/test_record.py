"""Recording: round trip, crash safety (SIGKILL), verify by re-simulation, export."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from playground import actions as A
from playground.cli import main
from playground.record import Recorder, RecordingError, load
from playground.voxel import VoxelWorld


def test_round_trip(tmp_path):
    w = VoxelWorld()
    frames = [w.reset(3)]
    rec = Recorder(tmp_path / "s", w, chunk=4)
    rec.add(A.zero(), frames[0])
    for i in range(9):
        a = A.make({"forward"}, yaw=0.1)
        frames.append(w.step(a))
        rec.add(a, frames[-1])
    rec.close()
    r = load(tmp_path / "s")
    assert r.complete and np.array_equal(r.frames, np.stack(frames))
    assert r.actions.shape == (10, 25) and r.actions.dtype == np.float32
    assert r.manifest["seed"] == 3 and r.manifest["world"] == "voxel" and r.manifest["action_schema"] == 1
    assert r.manifest["tick_rate"] == 20 and "playground_version" in r.manifest


def test_refuses_to_overwrite(tmp_path):
    w = VoxelWorld()
    w.reset(1)
    Recorder(tmp_path / "s", w).close()
    with pytest.raises(FileExistsError):
        Recorder(tmp_path / "s", w)


def test_not_a_recording(tmp_path):
    with pytest.raises(RecordingError, match="not a recording"):
        load(tmp_path)


def test_headless_record_then_verify(tmp_path, capsys):
    d = tmp_path / "run"
    assert main(["play", "--world", "voxel", "--headless", "--ticks", "120", "--seed", "5", "--record", str(d)]) == 0
    r = load(d)
    assert r.complete and len(r.frames) >= 120 and len(r.actions) >= 120
    assert main(["replay", str(d), "--verify"]) == 0
    assert "match exactly" in capsys.readouterr().out


def test_verify_reports_drift(tmp_path, capsys):
    d = tmp_path / "run"
    main(["play", "--world", "voxel", "--headless", "--ticks", "10", "--seed", "2", "--record", str(d)])
    chunk = sorted((d / "frames").glob("chunk_*.npz"))[0]
    with np.load(chunk) as z:
        f = z["frames"].copy()
    f[5] = 255 - f[5]
    np.savez(chunk, frames=f)
    assert main(["replay", str(d), "--verify"]) == 1
    assert "frame     5" in capsys.readouterr().out


def test_sigkill_leaves_a_readable_incomplete_session(tmp_path):
    d = tmp_path / "killed"
    cmd = [sys.executable, "-m", "playground.cli", "play", "--world", "voxel", "--headless",
           "--ticks", "100000", "--seed", "1", "--record", str(d)]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((d / "frames").glob("chunk_*.npz"))) < 2:
        time.sleep(0.2)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    r = load(d)
    assert not r.complete and len(r.frames) > 0 and len(r.actions) >= len(r.frames)
    assert len(r.frames) % 64 == 0          # only whole chunks: the open one is lost


def test_export_gif_and_png(tmp_path, capsys):
    d = tmp_path / "run"
    main(["play", "--world", "voxel", "--headless", "--ticks", "8", "--seed", "2", "--record", str(d)])
    assert main(["export", str(d), "--gif", str(tmp_path / "a.gif"), "--png", str(tmp_path / "png")]) == 0
    from PIL import Image
    with Image.open(tmp_path / "a.gif") as g:
        assert g.n_frames == 9 and g.size == (256, 256)
    assert len(list((tmp_path / "png").glob("*.png"))) == 9
    assert main(["export", str(d)]) == 2
    capsys.readouterr()
    assert main(["export", str(d), "--gif", str(tmp_path / "b.gif"), "--start", "6", "--end", "2"]) == 2
    assert "no frames from --start 6 to --end 2: the recording has frames 0 to 8" in capsys.readouterr().err
    assert main(["export", str(d), "--gif", str(tmp_path / "c.gif"), "--start", "20"]) == 2
    assert "no frames from --start 20 to the end" in capsys.readouterr().err


def test_export_refuses_a_file_name_that_is_not_its_format(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing"), "--gif", str(tmp_path / "clip.png")]) == 2
    assert f"--gif writes a .gif file: name it so (got {tmp_path / 'clip.png'})" in capsys.readouterr().err
    assert not (tmp_path / "clip.png").exists()


def test_a_missing_recording_is_named(tmp_path):
    with pytest.raises(RecordingError, match="missing does not exist"):
        load(tmp_path / "missing")


def test_recordings_are_training_data(tmp_path):
    from playground.train.datagen import load_shards
    for seed in (1, 2):
        main(["play", "--world", "voxel", "--headless", "--ticks", "25", "--seed", str(seed),
              "--record", str(tmp_path / f"r{seed}")])
    out = tmp_path / "data"
    assert main(["datagen", "--from-recordings", str(tmp_path / "r1"), str(tmp_path / "r2"),
                 "--ticks", "12", "--out", str(out)]) == 0
    eps = list(load_shards(out))
    assert len(eps) == 4 and eps[0][0].shape == (12, 64, 64, 3) and not eps[0][1][0].any()
    # Generating into it is refused: it would mix generated episodes into the recorded ones.
    assert main(["datagen", "--out", str(out), "--episodes", "1", "--ticks", "4"]) == 2
    assert main(["datagen", "--from-recordings", str(tmp_path / "r1"), "--ticks", "12", "--out", str(out)]) == 2
    # Recordings too short for an episode leave no folder behind.
    assert main(["datagen", "--from-recordings", str(tmp_path / "r1"), "--ticks", "400",
                 "--out", str(tmp_path / "none")]) == 2
    assert not (tmp_path / "none").exists()


def test_minari_export_round_trips_frames_and_actions(tmp_path, monkeypatch, capsys):
    minari = pytest.importorskip("minari")
    pytest.importorskip("h5py")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    dirs = [tmp_path / "a", tmp_path / "b"]
    for seed, d in zip((2, 3), dirs):
        main(["play", "--world", "voxel", "--headless", "--ticks", "6", "--seed", str(seed), "--record", str(d)])
    assert main(["export", *map(str, dirs), "--minari", "playground/test-walks-v0"]) == 0
    assert "2 episodes, 12 steps" in capsys.readouterr().out
    data = minari.load_dataset("playground/test-walks-v0")
    for ep, d in zip(data.iterate_episodes(), dirs):
        rec = load(d)
        assert np.array_equal(ep.observations, rec.frames)
        assert np.allclose(ep.actions, rec.frame_actions[1:]) and ep.truncations[-1]
    assert main(["export", str(dirs[0]), "--minari", "playground/test-walks-v0"]) == 2   # exists: refused
    assert main(["export", str(dirs[0]), str(dirs[1]), "--gif", str(tmp_path / "x.gif")]) == 2


def test_a_dream_recording_keeps_its_camera(toy_checkpoint):
    from playground.dream.world import DreamConfig, DreamWorld
    from playground.record.world_spec import build, describe
    spec = describe(DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint), device="cpu")))
    assert spec["camera"] == {"fov_degrees": 70.0, "turn_degrees": A.MAX_TURN_DEGREES}
    assert build(spec).camera == DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint))).camera
    older = {"world": "dream", "checkpoint": spec["checkpoint"], "checkpoint_sha256": spec["checkpoint_sha256"],
             "schedule_preset": "frame", "schedule_params": {"steps": 2},
             "options": {"fov_degrees": 70.0}}              # the view kept among the options
    assert build(older).camera.fov_degrees == 70.0
    with pytest.raises(RecordingError, match="camera"):
        build({**spec, "camera": {"fov_degrees": 90.0}})


def test_a_dream_recording_replays_with_its_world_memory_switch(toy_checkpoint):
    from playground.dream.settings import SamplerSettings
    from playground.dream.world import DreamConfig, DreamWorld
    from playground.record.world_spec import build, describe
    on = DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint), device="cpu"))    # on by default
    again = build(describe(on))
    assert again.settings.world_memory
    acts = [A.make({"forward"}), A.make(set(), yaw=0.5), A.zero()]
    shown = [on.reset(3)] + [on.step(a) for a in acts]
    replayed = [again.reset(3)] + [again.step(a) for a in acts]
    assert all(np.array_equal(a, b) for a, b in zip(shown, replayed))
    off = describe(DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint), sampler=SamplerSettings(world_memory=False))))
    assert not build(off).settings.world_memory
    before = {**off, "sampler": {k: v for k, v in off["sampler"].items() if k != "world_memory"}}
    assert not build({**before, "sampler": {**before["sampler"], "turn_warp_level": 0, "panorama_views": 24}}
                     ).settings.world_memory            # made before the memory: replays without it
    with pytest.raises(RecordingError, match="turn warp .level 60.*commit ae15420"):
        build({**before, "sampler": {**before["sampler"], "turn_warp_level": 60}})   # drawn by the retired warp
