"""The world memory's pictures of a dataset and a render-input network trained on them (train/renders.py)."""
import json

import numpy as np
import pytest

from playground import actions as A
from playground import checkpoint
from playground.camera import CameraModel
from playground.cli import main
from playground.dream.load import load_depth
from playground.model.depth import predict
from playground.train.datagen import DatagenConfig, DatasetError, generate, load_episodes
from playground.train.renders import episode_pictures, episode_poses
from tests.test_train import TOY_AE, TOY_DIT


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    generate(d, DatagenConfig(episodes=2, ticks=8, episodes_per_shard=2), progress=False)
    return d


def test_poses_re_simulate_the_episode_and_its_pictures_cover_what_was_shown(dataset):
    frames, actions, seed = next(iter(load_episodes(dataset)))
    config = json.loads((dataset / "meta.json").read_text())["config"]
    poses, edits = episode_poses(seed, actions, config, frames[0])
    assert len(poses) == len(edits) == len(frames) and poses[0][0].shape == (3,)
    with pytest.raises(DatasetError, match="does not re-simulate"):
        episode_poses(seed + 1, actions, config, frames[0])
    still = [poses[0]] * len(frames)                              # the first view, held: its picture is itself
    held = np.repeat(frames[:1], len(frames), 0)
    depth = predict(load_depth()[0], held)
    pictures, covered = episode_pictures(held, still, depth, CameraModel(), 0.0, np.random.default_rng(0))
    assert not covered[0].any() and covered[1:].mean() > 0.9
    err = np.abs(pictures[1:].astype(int) - held[1:].astype(int))[covered[1:]]
    assert np.median(err) <= 2


def test_pictures_keep_far_terrain_as_points_where_asked(dataset):
    frames = next(iter(load_episodes(dataset)))[0][:2]
    eye = np.zeros(3)
    walked = [(eye, 0.0, 0.0), (eye + np.array([0.0, 0.0, 5.0]), 0.0, 0.0)]    # 5 blocks ahead (yaw 0: +z)
    far = np.full(frames.shape[:3], 20.0)                                       # every pixel 20 blocks away
    by_direction, _ = episode_pictures(frames, walked, far, CameraModel(), 0.0, np.random.default_rng(0))
    as_points, _ = episode_pictures(frames, walked, far, CameraModel(), 0.0, np.random.default_rng(0),
                                    max_distance=28.0)
    assert np.array_equal(by_direction[1], frames[0])        # the sky map: the same picture, however near
    assert not np.array_equal(as_points[1], frames[0])       # points: nearer, larger


def test_a_broken_block_leaves_the_pictures_after_it():
    from playground.voxel import VoxelConfig, VoxelWorld
    from playground.train.renders import replay_episode
    world = VoxelWorld(VoxelConfig.make(64, 64))
    actions = [A.zero(), *[A.make(pitch=-1.0)] * 3, *[A.make({"attack"})] * 12]
    frames = [world.reset(5)] + [world.step(a) for a in actions[1:]]
    replayed = list(replay_episode(5, np.stack(actions), {}, frames[0]))
    edits = [cells for _, _, cells in replayed]
    assert sum(map(len, edits)) >= 1 and not edits[0]
    broke = next(t for t, cells in enumerate(edits) if cells)
    poses = [pose for pose, _, _ in replayed]
    frames, depth = np.stack(frames), np.full((len(frames), 64, 64), 3.0)   # the ground ahead, roughly
    _, kept = episode_pictures(frames, poses, depth, CameraModel(), 0.0, np.random.default_rng(0))
    _, forgot = episode_pictures(frames, poses, depth, CameraModel(), 0.0, np.random.default_rng(0), edits)
    assert np.array_equal(kept[:broke], forgot[:broke]) and forgot[broke].sum() < kept[broke].sum()


def test_a_render_input_network_trains_from_a_plain_one_and_plays(dataset, tmp_path):
    ae_dir, plain, grown = tmp_path / "ae", tmp_path / "plain", tmp_path / "grown"
    assert main(["train", "ae", "--data", str(dataset), "--out", str(ae_dir), "--set", "train.steps=2", *TOY_AE]) == 0
    ae = str(ae_dir / "ae.safetensors")
    toy = [*TOY_DIT, "--set", "memory_prob=0"]
    assert main(["train", "dit", "--data", str(dataset), "--ae", ae, "--out", str(plain), "--set", "train.steps=2",
                 *toy]) == 0
    assert main(["train", "dit", "--data", str(dataset), "--ae", ae, "--out", str(grown), "--set", "train.steps=2",
                 "--set", "model.render_input=true", "--set", f"init_from={plain / 'model.safetensors'}", *toy]) == 0
    assert len(list(dataset.glob("renders_*.npy"))) == 1           # cached beside the data
    renders = np.load(next(dataset.glob("renders_*.npy")))
    assert renders.shape[:3] == (2, 8, 9) and 0 <= renders[..., -1, :, :].min() <= renders[:, 1:, -1].max() <= 1
    meta = checkpoint.read(grown / "model.safetensors")[1]
    assert meta["models"]["dit"]["config"]["render_input"] and meta["extra"]["dit_train"]["renders"]["drift"] == 0.03
    from playground.dream.world import DreamConfig, DreamWorld
    world = DreamWorld(DreamConfig(checkpoint=str(grown / "model.safetensors")))
    frames = [world.reset(3)] + [world.step(a) for a in (A.make({"forward"}), A.make(yaw=0.5))]
    assert all(f.shape == (64, 64, 3) for f in frames) and world.info()["world_memory"]
    # its self-rollout (dreamed context, with the pictures as inputs), then its few-step batches
    for kind, extra in ((0, ["--set", "dream_prob=1"]), (1, ["--set", "fewstep.prob=1", "--set", "fewstep.teacher_steps=2"])):
        more = tmp_path / f"more{kind}"
        assert main(["train", "dit", "--data", str(dataset), "--ae", ae, "--out", str(more), "--set", "train.steps=1",
                     *extra, "--set", f"init_from={grown / 'model.safetensors'}", "--set", "model.render_input=true",
                     *toy]) == 0
        assert json.loads((more / "log.jsonl").read_text())["fewstep"] == kind
    meta = checkpoint.read(more / "model.safetensors")[1]["extra"]["dit_train"]
    assert meta["fewstep"] == {"prob": 1.0, "levels": [999, 500], "teacher_steps": 2, "teacher": "online",
                               "data_where_covered": False}


def test_the_render_preset_grows_the_shipped_network():
    from playground.config import build, load_yaml, preset_path
    from playground.model.presets import PRESETS
    from playground.train.dit import DiTTrainConfig
    cfg = build(DiTTrainConfig, load_yaml(preset_path("dit-tiny-render")), "dit-tiny-render")
    assert cfg.model == PRESETS["tiny-render"] and cfg.dream_prob == 0.5 and cfg.dream_guided
    assert cfg.fewstep.prob == 0.3 and cfg.fewstep.levels == (999, 500)
    assert cfg.fewstep.teacher == "ema" and not cfg.fewstep.data_where_covered
    from dataclasses import replace
    from playground.model.dit import DiTConfig
    shipped = checkpoint.config_from_dict(DiTConfig, checkpoint.read(cfg.init_from)[1]["models"]["dit"]["config"])
    assert replace(shipped, render_input=True) == PRESETS["tiny-render"] == replace(PRESETS["tiny"], render_input=True)
