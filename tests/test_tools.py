"""The diagnostic scripts in tools/, on an oracle "dream" (the voxel world itself)."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.voxel import VoxelWorld

ROOT = Path(__file__).resolve().parents[1]


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name,against", [("turn_left", "turn_right"), ("turn_right", "still")])
def test_progress_of_the_world_itself_keeps_pace(name, against):
    progress = load_tool("progress")
    row = progress.one_seed(VoxelWorld(), VoxelWorld(), seed=1_000_900, steps=5, name=name, against=against)
    assert row["matched_step"] == [1, 2, 3, 4, 5]      # every turned view differs: exact matches
    assert row["wins"] and row["against_wins"]
    assert row["gap_ratio"] == pytest.approx(1.0)
    assert row["world_walked_m"] == pytest.approx(0.0)


def test_progress_of_a_walk_never_runs_ahead_of_the_world():
    progress = load_tool("progress")
    row = progress.one_seed(VoxelWorld(), VoxelWorld(), seed=1_000_900, steps=5)
    # A blocked walk repeats frames and argmin takes the first: matches can only lag.
    assert all(m <= t for t, m in enumerate(row["matched_step"], 1))
    assert row["world_walked_m"] > 0 and row["wins"] and row["against_wins"]


def test_recommend_changes_the_metadata_not_the_weights(toy_checkpoint, tmp_path):
    from playground import checkpoint
    from playground.config import ConfigError
    recommend = load_tool("recommend").recommend
    out = tmp_path / "tuned.safetensors"
    sha, sampler = recommend(str(toy_checkpoint), str(out), {"action_guidance": 2.5, "guidance_on": "keys"})
    (old, _), (new, meta) = checkpoint.read(toy_checkpoint), checkpoint.read(out)
    assert sha == checkpoint.sha256(out) and all((old[k] == new[k]).all() for k in old) and old.keys() == new.keys()
    assert meta["extra"]["sampler"] == sampler and sampler["action_guidance"] == 2.5
    with pytest.raises(ConfigError):
        recommend(str(toy_checkpoint), str(out), {"guidance_min_level": -5})
    with pytest.raises(ConfigError, match="unknown key"):
        recommend(str(toy_checkpoint), str(out), {"warp": 1})
    older = tmp_path / "older.safetensors"               # a file that recommends the retired turn warp
    tensors, meta = checkpoint.read(out)
    checkpoint.save_raw(older, tensors, meta["models"], {**meta["extra"], "sampler": {**sampler, "turn_warp_level": 60}})
    assert "turn_warp_level" not in recommend(str(older), str(out), {"action_guidance": 3})[1]


def test_following_ceiling_with_moving_rates_every_script(tmp_path, monkeypatch, capsys):
    import json
    tool = load_tool("following_ceiling")
    out = tmp_path / "ceiling.json"
    monkeypatch.setattr("sys.argv", ["following_ceiling.py", str(out), "--seeds", "1", "--offset", "401", "--moving"])
    tool.main()
    data = json.loads(out.read_text())
    assert set(data["ceiling"]) == {"rowmean", "edge"}
    assert set(data["geometry"]) == {"edge, blur 0", "edge, blur 1"}
    for r in data["geometry"].values():
        assert set(r["by_script"]) == {"turn_left", "turn_right", "walk", "still"} and r["comparisons"] == 8
        assert r["by_script"]["still"] == 1.0        # it holds still exactly, as the world does
    assert "every script, fill edge, blur 0:" in capsys.readouterr().out


def test_check_docs_finds_history_wording_and_links_that_leave_the_repository(tmp_path):
    check = load_tool("check_docs")
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("Fine-tuned in session 26.\nSee [the design](../shared/DESIGN.md).\n"
                                        "A [web page](https://pytorch.org) and [docs](docs/a.md).\n")
    (tmp_path / "docs" / "a.md").write_text("Measured on one lent GPU.\n[back](../README.md)\n")
    found = check.findings(tmp_path)
    assert any("README.md:1" in f and "work periods" in f for f in found)
    assert any("README.md:2" in f and "leaves the repository" in f for f in found)
    assert any("docs/a.md:1" in f for f in found)
    assert not any(":3" in f or "docs/a.md:2" in f for f in found)
    (tmp_path / "docs" / "a.md").write_text("# Part one\n[ok](#part-one) [bad](#part-two) [gone](b.md)\n")
    found = check.findings(tmp_path)
    assert any("#part-two" in f for f in found) and any("gone" in f or "b.md" in f for f in found)
    assert not any("#part-one" in f for f in found)


def test_the_shipped_documents_pass_check_docs():
    assert load_tool("check_docs").findings(ROOT) == []


def test_the_gpu_render_recipe_runs_at_toy_size_on_the_cpu(tmp_path):
    """tools/gpu_render.sh end to end (data, pictures with relearn, training with an
    override, measures), tiny sizes."""
    import os
    env = {**os.environ, "OUT": str(tmp_path / "out"), "DATA": str(tmp_path / "data"), "RUN": str(tmp_path / "run"),
           "RELEARN": "1", "SETS": "fewstep.prob=0",
           "DEVICE": "cpu", "PROCS": "2", "EPISODES": "1", "TICKS": "24", "STEPS": "2", "BATCH": "2",
           "EVAL_STEPS": "2", "EVAL_LOOPS": "0", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(ROOT / "tools" / "gpu_render.sh")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    import json
    new, shipped = (json.loads((tmp_path / "out" / f"{w}.json").read_text()) for w in ("new", "shipped"))
    assert set(new) == set(shipped) == {"network alone", "memory 500"}
    assert (tmp_path / "out" / "model.safetensors").stat().st_size > 1e6 and "done" in done.stdout
    assert all(len(list((tmp_path / "data" / f"d{i}").glob("renders_*_relearn_*.npy"))) == 1 for i in range(2))
    from playground import checkpoint
    trained = checkpoint.read(tmp_path / "out" / "model.safetensors")[1]["extra"]["dit_train"]
    assert trained["renders"]["relearn"] and trained["fewstep"]["prob"] == 0


def test_world_memory_levels_measures_each_level_with_each_tracker():
    from playground.dream.load import load_dream
    tool = load_tool("world_memory_levels")
    sources = tool.dreams(load_dream(), [250], ["actions", "depth"])
    assert list(sources) == ["network alone", "memory 250 (actions)", "memory 250 (depth)"]
    assert not sources["network alone"].settings.world_memory
    for pose in ("actions", "depth"):
        settings = sources[f"memory 250 ({pose})"].settings
        assert settings.world_memory and settings.memory_level == 250 and settings.memory_pose == pose
    assert list(tool.dreams(load_dream(), [500], ["actions"])) == ["network alone", "memory 500"]
    assert list(tool.dreams(load_dream(), [500], ["actions"], network_alone=False)) == ["memory 500"]
    changed = tool.dreams(load_dream(), [500], ["actions"], network_alone=False,
                          changes={"seen": {"memory_seen_here": 0.25}})
    assert list(changed) == ["memory 500", "memory 500 seen"]
    assert changed["memory 500 seen"].settings.memory_seen_here == 0.25
    assert changed["memory 500 seen"].settings.memory_level == 500
    assert changed["memory 500"].settings.memory_seen_here is None


def test_world_memory_levels_refuses_seed_counts_that_reach_the_reports_seeds():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "world_memory_levels.py"), "out.json", "--play",
                           "--idm-seeds", "101"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "at most" not in done.stdout and "must be 1-100" in done.stderr
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "world_memory_levels.py"), "out.json",
                           "--set", "memory_frames=4"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "chooses memory_frames itself" in done.stderr


def test_picture_fidelity_measures_every_source(tmp_path):
    """tools/picture_fidelity.py on one short generated episode: a line per source."""
    from playground.train.datagen import DatagenConfig, generate
    generate(tmp_path / "d", DatagenConfig(episodes=1, ticks=14, revisit_fraction=0.0), progress=False)
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "picture_fidelity.py"), str(tmp_path / "d"),
                           "--episodes", "1", "--skip", "4"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if "median" in line]
    assert [line.split("median")[0].strip() for line in lines] == ["world's depth", "depth network", "the frame before"]
    for line in lines:                  # covered cells were found and measured
        median, cells = float(line.split("median")[1].split()[0]), int(line.split("(")[1].split()[0])
        assert cells > 0 and 0 <= median < float("inf")


def test_loop_returns_takes_a_revisit_apart():
    """tools/loop_returns.py on one short out-and-back loop from the world's frame."""
    from playground.dream.load import load_dream
    from playground.eval import loops as L
    from playground.eval.batched import world_rollouts
    from playground.eval.report import eval_dream
    tool = load_tool("loop_returns")
    acts = np.stack(L.loop("out and back", 2))
    frames, poses = world_rollouts([1_000_200], acts)
    trial = {"actions": acts, "truth": frames[0], "pitch": float(poses[0, 0, 4]), "depart": 0}
    row = tool.trial_row(eval_dream(load_dream(), 8), trial)
    assert row["render_departure"] > 0.99            # the memory holds the frame it was given
    assert 0 <= row["sure"] <= 1 and all(-1 <= row[k] <= 1 for k in row)
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "loop_returns.py"), "--set", "schedule=frame-4"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "chooses schedule itself" in done.stderr
