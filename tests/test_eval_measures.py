"""The measures players and the field use (action accuracy by the IDM, loop closure, free
play, action use) and the metrics under them, on constructed cases: the world itself, a
frozen dream, a dream of other actions."""
import numpy as np
import pytest

from playground import actions as A
from playground.eval import free_play as FP
from playground.eval import loops as L
from playground.eval import segments as G
from playground.eval.batched import held_start, mean_colour, world_rollouts
from playground.eval.metrics import gradient_energy, ssim, wilson


def test_ssim_matches_scikit_image_within_1e3():
    skimage = pytest.importorskip("skimage.metrics")
    rng = np.random.default_rng(0)
    for shape in ((64, 64, 3), (23, 41, 3), (11, 11, 3)):
        a = rng.integers(0, 256, shape, dtype=np.uint8)
        b = np.clip(a.astype(int) + rng.integers(-60, 60, shape), 0, 255).astype(np.uint8)
        ref = skimage.structural_similarity(a, b, channel_axis=-1, data_range=255, gaussian_weights=True,
                                            sigma=1.5, use_sample_covariance=False)
        assert abs(float(ssim(a, b)) - ref) < 1e-3
    assert np.allclose(ssim(np.stack([a, a]), a), 1.0)     # broadcasting over leading axes


def test_wilson_interval_is_right_at_the_edges():
    rate, lo, hi = wilson(10, 10)
    assert rate == 1 and hi == 1 and 0.69 < lo < 0.73       # 0.722 for 10 of 10
    rate, lo, hi = wilson(0, 10)
    assert rate == 0 and lo == 0 and 0.27 < hi < 0.29
    assert np.isnan(wilson(0, 0)[0])


def test_gradient_energy_is_zero_for_flat_and_falls_with_blur():
    rng = np.random.default_rng(1)
    sharp = rng.integers(0, 256, (32, 32, 3)).astype(np.uint8)
    blurred = ((sharp[:-1:2, :-1:2].astype(int) + sharp[1::2, 1::2]) // 2).repeat(2, 0).repeat(2, 1).astype(np.uint8)
    assert gradient_energy(np.full((8, 8, 3), 90, np.uint8)) == 0
    assert gradient_energy(blurred) < gradient_energy(sharp)


def test_segment_actions_carry_their_labels_and_keep_the_pitch_in_bounds():
    rng = np.random.default_rng(3)
    plan = G.scripted(rng, rounds=4)
    assert len(plan) == 4 * len(G.KINDS)
    keys, cams = G.labels(G.actions(plan))
    want_k = [k for s in plan for k in [0] * s.lead + [G.KEY_CLASSES.index(s.keys)] * s.ticks]
    want_c = [c for s in plan for c in [0] * s.lead + [G.CAMERA_CLASSES.index(s.camera)] * s.ticks]
    assert all(s.lead == G.LEAD for s in plan)
    assert keys.tolist() == want_k and cams.tolist() == want_c
    pitch = np.cumsum(G.actions(plan)[:, 15]) * 10
    assert np.abs(pitch).max() <= G.PITCH_LIMIT + 1e-6
    assert all(s.keys == "none" or s.camera == "none" for s in plan)
    for seed in range(40):                      # the IDM's training segments: 4-16 ticks
        plan = G.random(np.random.default_rng(seed), 40, ticks=(4, 16), lead=0)
        assert all(s.rate <= 1 and (s.camera == "none" or s.rate >= 0.3) for s in plan)
        assert np.abs(np.cumsum(G.actions(plan)[:, 15]) * 10).max() <= G.PITCH_LIMIT + 1e-4


@pytest.fixture(scope="module")
def idm():
    from playground.eval.idm import load_shipped
    return load_shipped()[0]


def _segments_run(seed=1_000_501):
    from playground.eval import action_accuracy as AA
    plans = AA.segment_plans([seed], "scripted")
    acts = np.stack([G.actions(p) for p in plans])
    truth, poses = world_rollouts([seed], acts)
    return plans, truth, AA.kept_segments(plans, poses, truth)


def test_idm_accuracy_is_high_on_the_world_and_low_for_frozen_or_other_actions(idm):
    from playground.eval import action_accuracy as AA
    plans, truth, kept = _segments_run()
    world = AA.score(idm, truth, plans, kept)
    assert world["keyboard"]["accuracy"] >= 0.8 and world["camera"]["accuracy"] >= 0.8
    frozen = AA.score(idm, held_start(truth), plans, kept)
    assert frozen["camera"]["accuracy"] < 0.3 and frozen["keyboard"]["accuracy"] < 0.4   # "none" only
    other = [list(reversed(plans[0]))]                      # a dream that played the segments backwards
    other_truth, _ = world_rollouts([1_000_501], np.stack([G.actions(p) for p in other]))
    shuffled = AA.score(idm, other_truth, plans, kept)
    assert shuffled["camera"]["accuracy"] < 0.5
    lo, hi = world["camera"]["ci95"]
    assert lo <= world["camera"]["accuracy"] <= hi


def test_the_idm_learns_a_key_only_where_the_world_shows_it():
    from playground.eval.idm_train import shown_key
    forward, jump = G.KEY_CLASSES.index("forward"), G.KEY_CLASSES.index("jump")
    assert shown_key(forward, np.array([0.0, 0.0, 0.2]), 0.0, True) == forward     # yaw 0 faces +z
    assert shown_key(forward, np.zeros(3), 0.0, True) == 0                         # into a wall
    assert shown_key(jump, np.array([0.0, 0.3, 0.0]), 0.0, False) == jump
    assert shown_key(jump, np.zeros(3), 0.0, True) == 0                            # under a ceiling
    assert shown_key(jump, np.array([0.0, -0.1, 0.0]), 0.0, False) == 0           # falling


def test_a_key_the_world_does_not_show_is_not_scored():
    from playground.eval.action_accuracy import shown_by_world
    seg = G.Segment("forward", "none", 0.0)
    still = np.zeros((seg.ticks + 1, 5))                  # walked into a wall: no move
    assert not shown_by_world(seg, still)
    moving = still.copy()
    moving[:, 2] = np.arange(seg.ticks + 1) * 0.2         # yaw 0 faces +z
    assert shown_by_world(seg, moving)
    assert not shown_by_world(G.Segment("back", "none", 0.0), moving)
    blank = np.zeros((seg.ticks + 1, 8, 8, 3), np.uint8)                 # nothing moves on the screen
    assert not shown_by_world(seg, moving, blank)
    assert shown_by_world(G.Segment("none", "none", 0.0), still, blank)


def test_loops_keep_returning_trials_and_score_the_world_frozen_and_mean_colour():
    trials = L.plan([1_002_500, 1_002_501], 1, world_rollouts)
    assert [t["bucket"] for t in trials] == ["16-48", "49-112", "113-200"]
    for t in trials:
        assert 16 <= t["gap"] <= 200 + L.SETTLE
    t = trials[-1]                                     # the longest trip leaves the view
    world = L.trial_scores(t["truth"], t["truth"], t["depart"])
    assert world["revisit_ssim"] == pytest.approx(1.0) and world["self_ssim"] > 0.9
    assert world["moved"] == world["away"] > 0
    frozen = np.broadcast_to(t["truth"][t["depart"]], t["truth"].shape)
    f = L.trial_scores(frozen, t["truth"], t["depart"])
    assert f["moved"] == 0 and f["self_ssim"] == pytest.approx(1.0)
    summary = L.summarise([{**f, "bucket": t["bucket"], "loop": t["loop"]}])
    assert summary["moved_away"] == 0 and summary["self_consistency"] == 1


def test_loops_without_a_lead_in_depart_from_the_worlds_first_frame():
    trials = L.plan([1_002_500, 1_002_501], 1, world_rollouts, lead=False)
    assert [t["depart"] for t in trials] == [0, 0, 0]
    for t in trials:
        assert len(t["truth"]) == len(t["actions"]) + 1 and t["gap"] == len(t["actions"])
        assert np.array_equal(t["actions"][0], A.make({"forward"}))      # the loop's first leg, no turn before it


def test_loop_references_keep_the_first_frame_and_imagine_another_world():
    from playground.eval.loop_references import ANOTHER_WORLD, KEPT, reference_frames
    acts = np.stack(L.loop("turn around", 3))
    truth, poses = world_rollouts([1_002_500], acts)
    assert L.returned(poses[0], 0)
    t = {"seed": 1_002_500, "actions": acts, "depart": 0, "truth": truth[0]}
    refs, seen = reference_frames(t)
    assert refs[KEPT].shape == refs[ANOTHER_WORLD].shape == truth[0].shape and seen.shape == truth[0].shape[:3]
    assert np.array_equal(refs[KEPT][0], truth[0, 0]) and np.array_equal(refs[ANOTHER_WORLD][0], truth[0, 0])
    assert seen[0].any() and seen[-1].mean() > 0.9 * seen[0].mean()    # back at the first pose: seen again
    assert np.array_equal(refs[KEPT][-1][seen[-1]], truth[0, -1][seen[-1]])
    assert ssim(refs[ANOTHER_WORLD][-1], truth[0, -1]) < 0.7            # a world of another seed
    half = len(acts) // 2 + 1                                           # facing away: nothing was shown
    assert not seen[half].any() and np.array_equal(refs[KEPT][half], refs[ANOTHER_WORLD][half])


def test_moved_away_on_seen_ground_compares_only_the_shown_pixels():
    truth = np.zeros((4, 16, 16, 3), np.uint8)
    truth[1:3, :, :8] = 200                       # the left half changes while away; the right is new ground
    truth[1:3, :, 8:] = 90
    seen = np.zeros((4, 16, 16), bool)
    seen[:, :, :8] = True
    follows_seen = truth.copy()
    follows_seen[1:3, :, 8:] = 0                  # draws the unseen half as the departure showed it
    s = L.trial_scores(follows_seen, truth, 0, seen)
    assert s["away"] == s["away_seen"] == 2 and s["moved_seen"] == 2
    frozen = np.zeros_like(truth)
    assert L.trial_scores(frozen, truth, 0, seen)["moved_seen"] == 0
    few = seen.copy()
    few[:, :, 2:] = False                         # an eighth of the view shown: the ticks do not count
    assert L.trial_scores(follows_seen, truth, 0, few)["away_seen"] == 0
    rows = [{**s, "bucket": "16-48", "loop": "square"}]
    summary = L.summarise(rows)
    assert summary["moved_away_seen"] == 1.0 and np.isnan(summary["by_loop"]["out and back"]["moved_away_seen"])
    assert "moved_away_seen" not in L.summarise([{**L.trial_scores(frozen, truth, 0), "bucket": "16-48",
                                                  "loop": "square"}])


def test_free_play_series_for_the_world_a_frozen_dream_and_a_flat_one():
    truth = np.random.default_rng(5).integers(0, 256, (2, 41, 16, 16, 3)).astype(np.uint8)
    world = FP.series(truth, truth, window=20)
    assert world["sharpness"] == [1.0, 1.0] and world["smeared"] == [0.0, 0.0]
    assert np.allclose(world["change"], 1.0)
    frozen = FP.series(held_start(truth), truth, window=20)
    assert frozen["change"] == [0.0, 0.0]
    flat = FP.series(mean_colour(truth), truth, window=20)
    assert flat["sharpness"] == [0.0, 0.0] and flat["smeared"] == [1.0, 1.0]
    assert set(FP.summary(world)) == {"sharpness", "smeared", "change", "psnr"}


def test_action_use_is_one_when_the_model_ignores_actions(toy_checkpoint):
    import torch
    from playground.dream.load import load_dream
    from playground.eval.action_use import action_use
    models = load_dream(toy_checkpoint)
    used = action_use(models, episodes=2, ticks=16, batches=1, batch_size=4)
    assert used["ratio"] > 0 and used["clips"] == 4
    with torch.no_grad():
        models[0].external_cond.weight.zero_()
    assert action_use(models, episodes=2, ticks=16, batches=1, batch_size=4)["ratio"] == pytest.approx(1.0)


def test_train_idm_refuses_a_file_of_another_kind(tmp_path, capsys):
    from playground.cli import main
    assert main(["train-idm", "--out", str(tmp_path / "idm.pt"), "--episodes", "10", "--steps", "1"]) == 2
    assert ".safetensors" in capsys.readouterr().err and not (tmp_path / "idm.pt").exists()


def test_train_idm_writes_a_file_eval_can_load(tmp_path):
    from playground.eval import idm_train
    from playground.eval.idm import load_shipped
    out = tmp_path / "idm.safetensors"
    result = idm_train.train(out, idm_train.IDMTrainConfig(episodes=10, ticks=24, steps=2, batch_size=8, workers=1),
                             progress=False)
    model, info = load_shipped(out)
    assert info["heldout"] == result["heldout"] and info["recipe"]["episodes"] == 10
    assert 0 <= result["heldout"]["keyboard"] <= 1 and result["heldout"]["steps"] == 24


def test_rollout_batches_cover_every_row_once_in_near_equal_batches():
    from playground.eval.batched import BATCH, batches
    for n in range(1, 40):
        rows = [i for s in batches(n) for i in range(s.start, s.stop)]
        assert rows == list(range(n))
        sizes = [s.stop - s.start for s in batches(n)]
        assert max(sizes) <= BATCH and max(sizes) - min(sizes) <= 1
    assert [s.stop - s.start for s in batches(18)] == [6, 6, 6]
