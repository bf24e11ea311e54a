"""Weight averaging: the mean of fine-tunes loads as a model; mismatched sources are refused."""
import pytest
import torch

from playground import checkpoint
from playground.checkpoint import CheckpointError
from playground.cli import main
from playground.dream.load import load_dream
from playground.train.average import average, normalized_weights


def _shifted(src, dst, delta):
    """A copy of `src` whose DiT float tensors are moved by `delta` (a stand-in fine-tune)."""
    tensors, meta = checkpoint.read(src)
    for k, v in tensors.items():
        if k.startswith("dit.") and v.is_floating_point():
            tensors[k] = v + delta
    checkpoint.save_raw(dst, tensors, meta["models"], meta["extra"])
    return dst


def test_weighted_mean_loads_and_records_sources(tmp_path, toy_checkpoint):
    b = _shifted(toy_checkpoint, tmp_path / "b.safetensors", 1.0)
    out = tmp_path / "soup.safetensors"
    average([toy_checkpoint, b], out, weights=[3, 1])
    t0, _ = checkpoint.read(toy_checkpoint)
    t, meta = checkpoint.read(out)
    k = next(k for k in t if k.startswith("dit.") and t[k].is_floating_point())
    assert torch.allclose(t[k].float(), t0[k].float() + 0.25, atol=1e-3)
    ae = next(k for k in t if k.startswith("ae."))
    assert torch.equal(t[ae], t0[ae])   # identical sources average to themselves
    assert [s["weight"] for s in meta["extra"]["average"]] == [0.75, 0.25]
    assert meta["extra"]["average"][1]["sha256"] == checkpoint.sha256(b)
    dit, _, _ = load_dream(out)
    assert dit.cfg.dim == 32


def test_refuses_other_configs(tmp_path, toy_checkpoint):
    tensors, meta = checkpoint.read(toy_checkpoint)
    meta["models"]["dit"]["config"]["depth"] = 99
    other = tmp_path / "other.safetensors"
    checkpoint.save_raw(other, tensors, meta["models"])
    with pytest.raises(CheckpointError, match="other models or configs"):
        average([toy_checkpoint, other], tmp_path / "x.safetensors")


def test_refuses_other_shapes(tmp_path, toy_checkpoint):
    tensors, meta = checkpoint.read(toy_checkpoint)
    k = next(k for k in tensors if k.startswith("dit.") and tensors[k].ndim == 2)
    tensors[k] = torch.zeros(3, 3)
    other = tmp_path / "other.safetensors"
    checkpoint.save_raw(other, tensors, meta["models"])
    with pytest.raises(CheckpointError, match=f"tensor '{k}'"):
        average([toy_checkpoint, other], tmp_path / "x.safetensors")


def test_weights_are_checked():
    assert normalized_weights(2, None) == [0.5, 0.5]
    with pytest.raises(CheckpointError, match="at least two"):
        normalized_weights(1, None)
    with pytest.raises(CheckpointError, match="3 weights for 2"):
        normalized_weights(2, [1, 1, 1])
    with pytest.raises(CheckpointError, match="positive"):
        normalized_weights(2, [1, -1])


def test_cli(tmp_path, toy_checkpoint, capsys):
    out = tmp_path / "soup.safetensors"
    assert main(["average", str(toy_checkpoint), str(toy_checkpoint), "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out and out.exists()
    assert main(["average", str(toy_checkpoint), str(tmp_path / "nope.safetensors"), "--out", str(out)]) == 2
    assert "not found" in capsys.readouterr().err
