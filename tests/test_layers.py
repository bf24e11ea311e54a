"""playground.model.layers: the rotary embedding rotates interleaved pairs."""
import math

import pytest
import torch

from playground.model.layers import AxialRotary, TimeRotary, apply_rotary, rotation


def rotate_pairs(x, angles):
    """The definition, pair by pair: (x0, x1) -> (x0 cos a - x1 sin a, x1 cos a + x0 sin a)."""
    out = x.clone()
    for j in range(0, angles.shape[-1], 2):
        a = angles[..., j]
        x0, x1 = x[..., j], x[..., j + 1]
        out[..., j], out[..., j + 1] = x0 * a.cos() - x1 * a.sin(), x1 * a.cos() + x0 * a.sin()
    return out


@pytest.mark.parametrize("rotated", [32, 16, 6])   # every channel (the DiT), half (the ViT VAE), a few
def test_apply_rotary_rotates_each_pair_by_its_angle(rotated):
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5, 32)
    angles = torch.randn(5, rotated // 2).repeat_interleave(2, -1)    # one angle per pair, as the tables
    y = apply_rotary(x, rotation(angles))
    torch.testing.assert_close(y, rotate_pairs(x, angles), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(y[..., rotated:], x[..., rotated:], rtol=0, atol=0)
    torch.testing.assert_close(y.norm(dim=-1), x.norm(dim=-1))       # a rotation keeps lengths


def test_rotary_angles_give_one_angle_per_pair():
    t = TimeRotary(32)(torch.arange(4))
    a = AxialRotary(16, 32.0)(3, 5)                 # the DiT: head_dim // 2 per axis
    assert t.shape == (4, 32) and a.shape == (15, 32)
    for angles in (t, a):
        assert torch.equal(angles[:, 0::2], angles[:, 1::2])
    assert t[1, 0].item() == pytest.approx(1.0) and t[0].abs().max() == 0
    assert a[0, 0].item() == pytest.approx(-math.pi)   # position -1 at the first frequency (pi)
