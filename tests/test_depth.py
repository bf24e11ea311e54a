"""The depth network (model/depth.py) and its training (train/depth.py) at toy size."""
import numpy as np
import pytest
import torch

from playground.checkpoint import CheckpointError
from playground.config import ConfigError
from playground.dream.load import load_depth
from playground.model.depth import DepthConfig, DepthNet, predict, relative_error
from playground.train import depth as D


def test_net_gives_a_distance_and_a_far_logit_per_pixel():
    net = DepthNet(DepthConfig(width=8))
    log_d, far = net(torch.zeros(2, 3, 64, 64))
    assert log_d.shape == far.shape == (2, 64, 64)


def test_predict_is_inf_where_the_net_says_far_and_capped_at_the_fog_elsewhere():
    net = DepthNet(DepthConfig(width=8)).eval()
    with torch.no_grad():
        net.head.weight.zero_()
        net.head.bias.copy_(torch.tensor([10.0, -1.0]))     # log distance 10: beyond the fog, near
        assert np.all(predict(net, np.zeros((1, 64, 64, 3), np.uint8)) == net.cfg.far)
        net.head.bias.copy_(torch.tensor([1.0, 1.0]))       # far
        assert np.all(np.isinf(predict(net, np.zeros((1, 64, 64, 3), np.uint8))))


def test_relative_error_counts_near_pixels_only_and_far_guesses_as_the_fog_distance():
    truth = np.array([[2.0, 10.0, np.inf, 40.0]])
    pred = np.array([[2.2, np.inf, 5.0, 1.0]])
    err = relative_error(pred, truth, far=28.0)
    assert np.allclose(err, [0.1, 1.8])


def test_loss_is_lower_for_the_truth_than_for_a_wrong_guess():
    net = DepthNet(DepthConfig(width=8))
    frames, depth = torch.zeros(1, 3, 64, 64), torch.full((1, 64, 64), 4.0)
    with torch.no_grad():
        net.head.weight.zero_()
        net.head.bias.copy_(torch.tensor([float(np.log(4.0)), -5.0]))
        right = D.loss(net, frames, depth)
        net.head.bias.copy_(torch.tensor([0.0, 5.0]))
        wrong = D.loss(net, frames, depth)
    assert right < 0.05 < wrong


def test_episode_gives_frames_with_their_depth():
    frames, depths = D.episode(5, ticks=6, every=3)
    assert frames.shape == (3, 64, 64, 3) and depths.shape == (3, 64, 64)
    assert np.isinf(depths).any() and (depths[np.isfinite(depths)] > 0).all()


def test_train_writes_a_file_that_loads_with_its_held_out_error(tmp_path):
    cfg = D.DepthTrainConfig(episodes=2, ticks=6, every=3, steps=2, batch_size=2, workers=1)
    result = D.train(tmp_path / "depth.safetensors", cfg, progress=False)
    net, extra = load_depth(tmp_path / "depth.safetensors")
    assert extra["heldout"]["frames"] == result["heldout"]["frames"] > 0
    assert 0 <= extra["heldout"]["median_relative_error"] and extra["config"]["steps"] == 2
    with pytest.raises(ConfigError):
        D.train(tmp_path / "depth.pt", cfg, progress=False)


def test_loading_a_file_without_a_depth_network_says_how_to_make_one(tmp_path):
    from playground.eval import idm as I
    I.save(I.IDM(), tmp_path / "idm.safetensors", extra={})
    with pytest.raises(CheckpointError, match="train-depth"):
        load_depth(tmp_path / "idm.safetensors")
