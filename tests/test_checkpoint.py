"""The one checkpoint loader: every bad input gives a clear CheckpointError."""
import json

import pytest
import torch
from safetensors.torch import save_file

from playground import checkpoint
from playground.checkpoint import CheckpointError
from playground.dream.load import load_dream


def test_loads_and_round_trips(toy_checkpoint):
    dit, ae, info = load_dream(toy_checkpoint)
    assert dit.cfg.dim == 32 and ae.cfg.widths == (16, 16) and len(info["sha256"]) == 64


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_dream(tmp_path / "nope.safetensors")


def test_truncated_file(tmp_path, toy_checkpoint):
    bad = tmp_path / "cut.safetensors"
    bad.write_bytes(toy_checkpoint.read_bytes()[:5000])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_dream(bad)


def test_corrupt_file(tmp_path):
    bad = tmp_path / "junk.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all" + b"\x00" * 64)
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_dream(bad)


def _rewrite(src, dst, edit_tensors=None, edit_meta=None):
    tensors, meta = checkpoint.read(src)
    if edit_tensors:
        edit_tensors(tensors)
    if edit_meta:
        edit_meta(meta)
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(dst), metadata={"playground": json.dumps(meta)})
    return dst


def test_unknown_family(tmp_path, toy_checkpoint):
    bad = _rewrite(toy_checkpoint, tmp_path / "f.safetensors",
                   edit_meta=lambda m: m["models"]["dit"].update(family="transformer-xl"))
    with pytest.raises(CheckpointError, match="unknown model family 'transformer-xl'"):
        load_dream(bad)


def test_unknown_config_field(tmp_path, toy_checkpoint):
    bad = _rewrite(toy_checkpoint, tmp_path / "c.safetensors",
                   edit_meta=lambda m: m["models"]["dit"]["config"].update(warp_drive=1))
    with pytest.raises(CheckpointError, match="warp_drive"):
        load_dream(bad)


def test_unknown_preset_name_is_a_clear_error():
    from playground.config import ConfigError
    from playground.model.presets import dit_preset
    with pytest.raises(ConfigError, match="unknown model preset"):
        dit_preset("giant")


def test_missing_tensor(tmp_path, toy_checkpoint):
    bad = _rewrite(toy_checkpoint, tmp_path / "m.safetensors",
                   edit_tensors=lambda t: t.pop("dit.final_layer.linear.weight"))
    with pytest.raises(CheckpointError, match=r"1 missing tensors: final_layer\.linear\.weight"):
        load_dream(bad)


def test_unexpected_tensor(tmp_path, toy_checkpoint):
    bad = _rewrite(toy_checkpoint, tmp_path / "u.safetensors",
                   edit_tensors=lambda t: t.update({"dit.extra.head": torch.zeros(3)}))
    with pytest.raises(CheckpointError, match=r"unexpected tensors: extra\.head"):
        load_dream(bad)


def test_misshaped_tensor(tmp_path, toy_checkpoint):
    bad = _rewrite(toy_checkpoint, tmp_path / "s.safetensors",
                   edit_tensors=lambda t: t.update({"dit.external_cond.weight": torch.zeros(32, 24)}))
    with pytest.raises(CheckpointError, match=r"mis-shaped tensors: external_cond\.weight: file \(32, 24\)"):
        load_dream(bad)


def test_missing_model(tmp_path, toy_checkpoint):
    def drop(t):
        for k in [k for k in t if k.startswith("ae.")]:
            t.pop(k)
    bad = _rewrite(toy_checkpoint, tmp_path / "a.safetensors", edit_tensors=drop,
                   edit_meta=lambda m: m["models"].pop("ae"))
    with pytest.raises(CheckpointError, match="holds no 'ae' model"):
        load_dream(bad)


def test_cli_reports_loader_errors_in_one_line(tmp_path, capsys):
    from playground.cli import main
    assert main(["play", "--headless", "--ticks", "2", "--checkpoint", str(tmp_path / "x.safetensors")]) == 2
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err
