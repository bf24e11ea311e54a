"""The training pipeline end to end at toy sizes: datagen -> autoencoder -> DiT -> one
checkpoint that loads; resumption; DDP with torchrun over gloo."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from playground import actions as A, checkpoint
from playground.cli import main
from playground.train.datagen import DatagenConfig, generate, load_shards
from playground.train.levels import LevelMix, sample_levels

TOY_AE = ["--set", "model.widths=[16,16]", "--set", "model.decoder_blocks=[1,1]",
          "--set", "model.blocks=1", "--set", "train.batch_size=4", "--set", "train.sample_every=2"]
TOY_DIT = ["--set", "train.sample_every=2", "--set", "model.dim=32", "--set", "model.depth=1", "--set", "model.heads=2",
           "--set", "model.memory_frames=2", "--set", "train.batch_size=2", "--set", "clip=4",
           "--set", "model.in_channels=8"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    generate(d, DatagenConfig(episodes=3, ticks=10, episodes_per_shard=2), progress=False)
    return d


def test_datagen_shards_resume_and_determinism(dataset, tmp_path):
    eps = list(load_shards(dataset))
    assert len(eps) == 3 and eps[0][0].shape == (10, 64, 64, 3) and eps[0][1].shape == (10, 25)
    assert not eps[0][1][0].any()  # first action is the zero action
    generate(tmp_path, DatagenConfig(episodes=3, ticks=10, episodes_per_shard=2), progress=False)
    (tmp_path / "shard_00001.npz").unlink()
    generate(tmp_path, DatagenConfig(episodes=3, ticks=10, episodes_per_shard=2), progress=False)
    again = list(load_shards(tmp_path))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(eps, again))


def test_datagen_resumed_counts_episodes_and_refuses_a_folder_that_is_not_a_dataset(dataset, tmp_path, capsys):
    from playground.train.datagen import DatasetError
    generate(dataset, DatagenConfig(episodes=3, ticks=10, episodes_per_shard=2), progress=True)
    assert "3/3" in capsys.readouterr().err      # the last shard holds one episode, not two
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match="holds files but no dataset"):
        generate(tmp_path, DatagenConfig(episodes=1, ticks=4), progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_datagen_policy_mix_and_older_datasets_resume(tmp_path):
    from playground.train.datagen import DatasetError
    cfg = DatagenConfig(episodes=4, ticks=6, episodes_per_shard=4, seed=10, revisit_fraction=0, steady_fraction=1)
    generate(tmp_path / "s", cfg, progress=False)
    with np.load(tmp_path / "s" / "shard_00000.npz") as z:
        assert set(z["policies"]) == {"steady"}
    with pytest.raises(DatasetError, match="sum to at most 1"):
        generate(tmp_path / "bad", DatagenConfig(revisit_fraction=0.6, steady_fraction=0.6), progress=False)
    with pytest.raises(DatasetError, match="sum to at most 1"):
        generate(tmp_path / "bad", DatagenConfig(revisit_fraction=0.5, stroll_fraction=0.6), progress=False)
    generate(tmp_path / "w", DatagenConfig(episodes=4, ticks=6, episodes_per_shard=4, seed=10, revisit_fraction=0,
                                           stroll_fraction=1), progress=False)
    with np.load(tmp_path / "w" / "shard_00000.npz") as z:
        assert set(z["policies"]) == {"stroll"}
    # A dataset made before steady_fraction existed resumes under the default (0), which
    # reproduces it, and refuses a config that would not.
    old = DatagenConfig(episodes=2, ticks=6, episodes_per_shard=1)
    generate(tmp_path / "o", old, progress=False)
    meta = json.loads((tmp_path / "o" / "meta.json").read_text())
    del meta["config"]["steady_fraction"]
    (tmp_path / "o" / "meta.json").write_text(json.dumps(meta))
    (tmp_path / "o" / "shard_00001.npz").unlink()
    generate(tmp_path / "o", old, progress=False)
    with pytest.raises(DatasetError, match="different config"):
        generate(tmp_path / "o", DatagenConfig(episodes=2, ticks=6, episodes_per_shard=1, steady_fraction=0.5),
                 progress=False)


@pytest.mark.parametrize("bad, words", [({"episodes": 0}, "episodes must be at least 1"),
                                         ({"ticks": 1}, r"ticks \(frames per episode: a clip\) must be at least 2"),
                                         ({"episodes_per_shard": 0}, r"episodes_per_shard \(--shard-size\) must be at least 1"),
                                         ({"seed": -3}, "first world seed"),
                                         ({"seed": 2**64 - 1}, "first world seed")])
def test_datagen_refuses_a_config_that_cannot_make_a_dataset_before_writing(tmp_path, bad, words):
    from playground.train.datagen import DatasetError
    with pytest.raises(DatasetError, match=words):
        generate(tmp_path / "d", DatagenConfig(**{"episodes": 2, "ticks": 4, **bad}), progress=False)
    assert not (tmp_path / "d").exists()


def test_stroll_walks_long_and_hops_only_when_blocked():
    """Stroll episodes hold plain W for long runs (what the eval's walk script does) and
    add a hop or a turn only after a walking tick on the ground that did not move."""
    from playground.train.datagen import _BLOCKED_SHARE, episode
    from playground.voxel import VoxelWorld
    from playground.rules.physics import WALK_SPEED
    world, fwd, jump, yaw = VoxelWorld(), A.INDEX["forward"], A.INDEX["jump"], A.YAW
    longest, unblocks = 0, 0
    for seed in (300002, 300009):       # one meets a wall, one walks on open ground
        _, acts = episode(world, seed, "stroll", 96)
        world.reset(seed)
        run, moved, ground = 0, WALK_SPEED, True
        for t in range(1, len(acts)):
            a = acts[t]
            plain_walk = a[fwd] > 0 and a[jump] == 0 and a[yaw] == 0
            run = run + 1 if plain_walk else 0
            longest = max(longest, run)
            if a[fwd] > 0 and (a[jump] > 0 or a[yaw] == 1.0):
                assert ground and moved < _BLOCKED_SHARE * WALK_SPEED, f"seed {seed} tick {t}: hop without a block"
                unblocks += 1
            before = world.player.pos[[0, 2]].copy()
            world.step(a)
            moved, ground = float(np.linalg.norm(world.player.pos[[0, 2]] - before)), world.player.on_ground
    assert longest >= 24 and unblocks > 0


def test_level_mixture_covers_every_preset():
    levels, mask = sample_levels(np.random.default_rng(0), 256, 8, LevelMix())
    assert levels.min() >= 0 and levels.max() <= 999
    assert (mask == 0).any() and (mask == 1).any()
    inc = np.all(np.diff(levels, axis=1) >= 0, axis=1)
    assert inc.mean() > 0.4   # progressive and frame windows are non-decreasing


def test_focus_levels_concentrate_generated_frames_and_keep_the_rest_uniform():
    from playground.train.levels import dream_levels
    mix = LevelMix(independent=0, progressive=0, frame=1, focus_levels=(999, 500), focus_prob=0.7)
    levels, mask = sample_levels(np.random.default_rng(0), 2000, 8, mix)
    new = levels[mask == 1]
    focused = np.isin(new, (999, 500)).mean()
    assert 0.65 < focused < 0.75                       # 0.7 focused (+ the rare uniform hit)
    assert len(np.unique(new[~np.isin(new, (999, 500))])) > 100   # the rest still spread out
    d, dm = dream_levels(np.random.default_rng(1), 2000, 6, mix)
    assert 0.65 < np.isin(d[:, -1], (999, 500)).mean() < 0.75 and (d[:, :-1] <= mix.max_context_level).all()
    # Without focus levels both draw exactly as before (old runs reproduce).
    plain = dream_levels(np.random.default_rng(1), 64, 6, LevelMix())[0][:, -1]
    rng = np.random.default_rng(1)
    rng.integers(0, LevelMix().max_context_level + 1, (64, 1))
    assert (plain == rng.integers(0, 1000, 64)).all()


def test_action_changes_and_clips_placed_on_them():
    from playground import actions as A
    from playground.train.dataset import action_changes
    from playground.train.dit import DiTTrainConfig, make_batch_fn
    acts = np.zeros((2, 40, 25), np.float32)
    acts[0, 10:20, A.INDEX["forward"]] = 1          # walk 10-19: changes at 10 and 20
    acts[1, :, A.YAW] = 0.05                        # jitter under the turning threshold...
    acts[1, 30:, A.YAW] = -0.5                      # ...then a turn from 30
    e, t = action_changes(acts)
    assert sorted(zip(e.tolist(), t.tolist())) == [(0, 10), (0, 20), (1, 30)]
    cfg = DiTTrainConfig(clip=6, transition_prob=1.0, memory_prob=0.0)
    batch_fn = make_batch_fn(np.zeros((2, 40, 4, 2, 2), np.float16), acts, cfg, "cpu")
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = batch_fn(rng, 0)["actions"].numpy()
        state = np.stack([a[..., A.INDEX["forward"]] > 0.5, a[..., A.YAW] < -0.12], -1)
        changed = (state[:, 1:] != state[:, :-1]).any(-1)          # (B, clip - 1)
        assert changed[:, -4:].any(1).all()     # every clip has its change among its last 4 frames


def test_motion_weight_favours_frames_that_move():
    from playground.train.dit import DiTTrainConfig, frame_motion, make_batch_fn
    lat = np.zeros((1, 40, 4, 2, 2), np.float16)
    lat[0, 20:] = np.arange(20, dtype=np.float16)[:, None, None, None]     # still until 19, then moves
    np.testing.assert_allclose(frame_motion(lat, np.array([0, 0, 0, 0]), np.array([0, 10, 20, 30])),
                               [0, 0, 0, 1])             # tick 20 steps from 0 to 0, as does 19
    acts = np.zeros((1, 40, 25), np.float32)
    cfg = DiTTrainConfig(clip=6, memory_prob=0.0, motion_weight=2.0)
    plain = make_batch_fn(lat, acts, DiTTrainConfig(clip=6, memory_prob=0.0), "cpu")(np.random.default_rng(0), 0)
    b = make_batch_fn(lat, acts, cfg, "cpu")(np.random.default_rng(0), 0)
    assert set(np.unique(plain["weight"].numpy())) <= {0.0, 1.0}
    w, x0 = b["weight"].numpy(), b["x0"].numpy()
    assert ((w == 0) == (plain["weight"].numpy() == 0)).all()        # context frames stay out of the loss
    moving = np.abs(np.diff(x0, axis=1)).reshape(*w.shape[:1], w.shape[1] - 1, -1).max(-1) > 0
    target = w[:, 1:] > 0
    assert (w[:, 1:][moving & target] > 1).all() and (w[:, 1:][~moving & target] == 1).all()
    assert w.max() <= 1 + 2.0 * 4 + 1e-6                 # motion counts at most 4x its dataset mean


def test_ae_then_dit_then_checkpoint(dataset, tmp_path, capsys):
    ae_dir, dit_dir = tmp_path / "ae", tmp_path / "dit"
    assert main(["train", "ae", "--data", str(dataset), "--out", str(ae_dir),
                 "--set", "train.steps=3", *TOY_AE]) == 0
    ae_path = ae_dir / "ae.safetensors"
    _, meta = checkpoint.read(ae_path)
    assert meta["models"]["ae"]["config"]["latent_scale"] > 0
    assert main(["train", "dit", "--data", str(dataset), "--ae", str(ae_path), "--out", str(dit_dir),
                 "--set", "train.steps=3", *TOY_DIT]) == 0
    tensors, meta = checkpoint.read(dit_dir / "model.safetensors")
    assert set(meta["models"]) == {"ae", "dit"}
    assert all(v.dtype == torch.float16 for v in tensors.values())
    assert (ae_dir / "sample_000002.png").exists() and (dit_dir / "sample_000002.png").exists()
    log = [json.loads(line) for line in (dit_dir / "log.jsonl").read_text().splitlines()]
    assert log[0]["step"] == 1 and np.isfinite(log[0]["loss"])
    # Resuming continues from the saved step; stop_after ends a run early on a longer schedule.
    assert main(["train", "dit", "--data", str(dataset), "--ae", str(ae_path), "--out", str(dit_dir),
                 "--set", "train.steps=8", "--set", "train.stop_after=5", *TOY_DIT]) == 0
    assert "resumed" in capsys.readouterr().err     # logged (playground -q silences it)
    st = torch.load(dit_dir / "state.pt", weights_only=False)
    assert st["step"] == 5 and st["config"]["steps"] == 8
    # The DiT trains on several dataset folders at once (each caches its own latents)...
    extra = tmp_path / "extra"
    generate(extra, DatagenConfig(episodes=2, ticks=10, episodes_per_shard=2, seed=50, revisit_fraction=0,
                                  steady_fraction=1), progress=False)
    assert main(["train", "dit", "--data", str(dataset), str(extra), "--ae", str(ae_path), "--out", str(dit_dir),
                 "--set", "train.steps=8", "--set", "train.stop_after=6", *TOY_DIT]) == 0
    assert torch.load(dit_dir / "state.pt", weights_only=False)["step"] == 6
    assert list(extra.glob("latents_*.npy"))
    # ...whose episodes must be equally long.
    short = tmp_path / "short"
    generate(short, DatagenConfig(episodes=1, ticks=7, episodes_per_shard=1, seed=60), progress=False)
    capsys.readouterr()
    assert main(["train", "dit", "--data", str(dataset), str(short), "--ae", str(ae_path), "--out", str(dit_dir),
                 "--set", "train.steps=8", *TOY_DIT]) != 0
    assert "episodes of 7 frames" in capsys.readouterr().err
    # The export records the sampler settings chosen for users.
    out = tmp_path / "tuned.safetensors"
    assert main(["train", "dit", "--data", str(dataset), "--ae", str(ae_path), "--out", str(dit_dir),
                 "--export-only", str(out), "--set", "sampler.context_label=30",
                 "--set", "sampler.action_guidance=1.5", "--set", "sampler.guidance_min_level=501",
                 "--set", "sampler.guidance_on=keys", "--set", "levels.max_context_level=250", *TOY_DIT]) == 0
    assert checkpoint.read(out)[1]["extra"]["sampler"] == {"context_label": 30, "action_guidance": 1.5,
                                                           "guidance_min_level": 501, "guidance_on": "keys"}
    assert checkpoint.read(out)[1]["extra"]["dit_train"]["steps"] == 6          # the saved state's step
    from playground import camera                 # and the camera its frames were seen with
    assert camera.from_checkpoint(checkpoint.read(out)[1]) == camera.CameraModel()
    assert checkpoint.read(out)[1]["extra"]["camera"] == {"fov_degrees": 70.0, "turn_degrees": 10.0}
    assert checkpoint.read(out)[1]["extra"]["dit_train"]["max_context_level"] == 250   # for the card
    # Fine-tuning: a new run starts from an exported DiT's weights and counts its steps on top.
    # Its --ae may be the exported file itself: the latent cache is keyed by the autoencoder's
    # weights, not by the file, so it is reused rather than encoded again.
    ft = tmp_path / "ft"
    assert main(["train", "dit", "--data", str(dataset), "--ae", str(out), "--out", str(ft),
                 "--set", "train.steps=2", "--set", f"init_from={out}", "--set", "train.sample_every=100",
                 *TOY_DIT[2:]]) == 0
    first = json.loads((ft / "log.jsonl").read_text().splitlines()[0])
    assert first["loss"] < log[0]["loss"]                    # it starts from trained weights
    assert checkpoint.read(ft / "model.safetensors")[1]["extra"]["dit_train"]["total_steps"] == 6 + 2
    # One cache for the fp32 autoencoder file and one for its fp16 copy in the exports, which all share.
    from playground.train.dit import load_ae, load_latents
    key = checkpoint.weights_sha256(load_ae(out))[:12]
    assert key == checkpoint.weights_sha256(load_ae(ft / "model.safetensors"))[:12]
    assert len(list(dataset.glob("latents_*.npy"))) == 2
    cache = dataset / f"latents_ae-{key}.npy"
    # A cache named by the file's hash (before the key was the weights) is adopted, not re-encoded.
    cache.replace(dataset / f"latents_{checkpoint.sha256(out)[:12]}.npy")
    stamp = os.stat(dataset / f"latents_{checkpoint.sha256(out)[:12]}.npy").st_mtime_ns
    load_latents(load_ae(out), out, [dataset])
    assert cache.exists() and os.stat(cache).st_mtime_ns == stamp
    capsys.readouterr()
    assert main(["train", "dit", "--data", str(dataset), "--ae", str(ae_path), "--out", str(tmp_path / "ft2"),
                 "--set", "train.steps=2", "--set", f"init_from={out}", *TOY_DIT, "--set", "model.dim=48"]) != 0
    assert "differs in dim: file 32 vs config 48" in capsys.readouterr().err
    assert main(["train", "dit", "--data", str(dataset), "--ae", str(ae_path), "--out", str(tmp_path / "ft3"),
                 "--set", "train.steps=2", "--set", f"init_from={ae_path}", *TOY_DIT]) != 0
    assert "holds no DiT" in capsys.readouterr().err


def test_data_that_does_not_fit_the_model_is_refused_before_training(dataset, tmp_path, capsys):
    small = tmp_path / "small"
    generate(small, DatagenConfig(episodes=1, ticks=6, width=32, height=32), progress=False)
    assert main(["train", "ae", "--data", str(small), "--out", str(tmp_path / "ae32"), *TOY_AE]) == 2
    assert "holds 32x32 frames but the model takes 64x64: train at their size with " \
           "--set model.image_size=[32,32]" in capsys.readouterr().err
    ae_path = tmp_path / "ae" / "ae.safetensors"
    assert main(["train", "ae", "--data", str(dataset), "--out", str(ae_path.parent), "--set", "train.steps=1",
                 *TOY_AE]) == 0
    dit = ["train", "dit", "--ae", str(ae_path), "--set", "train.steps=1", *TOY_DIT]
    capsys.readouterr()
    assert main([*dit, "--data", str(small), "--out", str(tmp_path / "d1")]) == 2
    assert "encodes 64x64 frames; make data of that size (datagen --width 64 --height 64)" in capsys.readouterr().err
    assert main([*dit, "--data", str(dataset), "--out", str(tmp_path / "d2"), "--set", "clip=9"]) == 2
    assert "episodes of 10 frames, fewer than a training clip and its memory frames take (11" \
           in capsys.readouterr().err
    assert main([*dit, "--data", str(dataset), "--out", str(tmp_path / "d3"), "--set", "clip=2",
                 "--set", "dream_prob=0.5"]) == 2
    assert "needs clips of at least 3 frames, got clip=2" in capsys.readouterr().err
    assert not any((tmp_path / d).exists() for d in ("ae32", "d1", "d2", "d3"))


def test_ddp_two_processes_gloo(dataset, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # --standalone: a free port on localhost, so a port left in TIME_WAIT cannot collide.
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "playground.cli", "train", "ae", "--data", str(dataset), "--out", str(tmp_path),
           "--set", "train.steps=2", *TOY_AE]
    for _ in range(2):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        # A gloo worker once aborted (SIGABRT) in a full `make test` on a 2-core machine and
        # passed 6 of 6 runs alone; that alone earns one retry. Any error of ours fails twice.
        if r.returncode == 0 or "Signal 6 (SIGABRT)" not in r.stderr:
            break
    assert r.returncode == 0, r.stderr[:3000] + "\n...\n" + r.stderr[-2000:]
    st = torch.load(tmp_path / "state.pt", weights_only=False)
    assert st["step"] == 2 and len(st["rng"]) == 2


def test_signal_saves_state_and_stops(tmp_path):
    """Ctrl-C (SIGINT) mid-run: the step in flight finishes, state.pt holds it, fit returns
    the EMA, and the previous handler is back afterwards."""
    import signal

    from playground.train.loop import TrainConfig, fit
    model = torch.nn.Linear(3, 1)

    def batch_fn(rng, step):
        if step == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return torch.randn(4, 3)

    def loss_fn(net, x):
        return net(x).pow(2).mean(), {}

    before = signal.getsignal(signal.SIGINT)
    ema = fit(model, loss_fn, batch_fn, TrainConfig(steps=50, bf16=False, warmup=1), tmp_path, torch.device("cpu"),
              progress=False)
    assert isinstance(ema, torch.nn.Linear)
    assert torch.load(tmp_path / "state.pt", weights_only=False)["step"] == 3
    rows = [json.loads(line) for line in open(tmp_path / "log.jsonl")]
    assert rows[-1]["step"] == 3
    assert signal.getsignal(signal.SIGINT) is before


def test_the_loss_can_read_the_ema_weights_that_fit_keeps(tmp_path):
    """on_ema hands over the EMA copy before the first step; the loss sees it move."""
    from playground.train.loop import TrainConfig, fit
    torch.manual_seed(0)
    model, handed, seen = torch.nn.Linear(3, 1), [], []

    def loss_fn(net, x):
        seen.append(handed[0].weight.detach().clone())
        return net(x).pow(2).mean(), {}

    ema = fit(model, loss_fn, lambda rng, step: torch.randn(4, 3), TrainConfig(steps=3, bf16=False, warmup=1),
              tmp_path, torch.device("cpu"), progress=False, on_ema=handed.append)
    assert handed == [ema] and len(seen) == 3 and not torch.equal(seen[0], seen[-1])


def test_fine_tune_grows_depth(tmp_path):
    """init_from into a deeper DiT: the file's blocks come first and the new ones start as
    the identity (adaLN-Zero), so the grown model predicts exactly what the file's does."""
    from dataclasses import replace

    from playground.model.dit import DiT, DiTConfig
    from playground.train.dit import init_weights
    torch.manual_seed(0)
    cfg = DiTConfig(dim=32, depth=2, heads=2, max_frames=4, memory_frames=2)
    small = DiT(cfg).eval()
    with torch.no_grad():                       # trained-like: gates open, output layer non-zero
        for p in small.parameters():
            p.add_(0.05 * torch.randn_like(p))
    path = tmp_path / "small.safetensors"
    checkpoint.save(path, {"dit": ("st-dit", cfg, small)})
    big = DiT(replace(cfg, depth=3)).eval()
    init_weights(big, path)
    assert torch.equal(big.blocks[1].s_adaLN_modulation[1].weight, small.blocks[1].s_adaLN_modulation[1].weight)
    x, levels, actions = torch.randn(2, 3, 8, 16, 16), torch.randint(0, 1000, (2, 3)), torch.rand(2, 3, 25)
    with torch.no_grad():
        assert torch.allclose(big(x, levels, actions)[0], small(x, levels, actions)[0], atol=1e-6)
    with pytest.raises(checkpoint.CheckpointError, match="differs in depth: file 2 vs config 1"):
        init_weights(DiT(replace(cfg, depth=1)), path)


def test_fine_tune_grows_a_render_input(tmp_path):
    """init_from into a DiT that also takes the world memory's picture: its embedding starts
    at zero, so whatever the picture, the grown model predicts what the file's does."""
    from dataclasses import replace

    from playground.model.dit import DiT, DiTConfig
    from playground.train.dit import init_weights
    torch.manual_seed(0)
    cfg = DiTConfig(dim=32, depth=2, heads=2, max_frames=4, memory_frames=2)
    plain = DiT(cfg).eval()
    with torch.no_grad():
        for p in plain.parameters():
            p.add_(0.05 * torch.randn_like(p))
    path = tmp_path / "plain.safetensors"
    checkpoint.save(path, {"dit": ("st-dit", cfg, plain)})
    grown = DiT(replace(cfg, render_input=True)).eval()
    init_weights(grown, path)
    x, levels, actions = torch.randn(2, 3, 8, 16, 16), torch.randint(0, 1000, (2, 3)), torch.rand(2, 3, 25)
    render = torch.randn(2, 3, 9, 16, 16)
    with torch.no_grad():
        assert torch.equal(grown(x, levels, actions, render=render)[0], plain(x, levels, actions)[0])
        grown.render_embedder.proj.weight.add_(0.1)              # once trained, the picture matters
        assert not torch.allclose(grown(x, levels, actions, render=render)[0], plain(x, levels, actions)[0])
    with pytest.raises(AssertionError, match="takes no render"):
        plain(x, levels, actions, render=render)
    path2 = tmp_path / "grown.safetensors"
    checkpoint.save(path2, {"dit": ("st-dit", grown.cfg, grown)})
    with pytest.raises(checkpoint.CheckpointError, match="render_input: file True vs config False"):
        init_weights(DiT(cfg), path2)                          # dropping an input is not growing


def test_training_keeps_fp32_on_a_cpu_that_only_emulates_bf16(monkeypatch, caplog):
    from playground import device as dev
    from playground.train.loop import _bf16_here
    monkeypatch.setattr(dev, "native_bf16_cpu", lambda: False)
    with caplog.at_level("WARNING"):
        assert not _bf16_here(True, torch.device("cpu"), "dit")
    assert "no native bf16" in caplog.text
    assert not _bf16_here(False, torch.device("cpu"), "dit")
    monkeypatch.setattr(dev, "native_bf16_cpu", lambda: True)
    assert _bf16_here(True, torch.device("cpu"), "dit")
