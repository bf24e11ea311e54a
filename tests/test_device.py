"""playground.device: a device this PyTorch cannot use is refused up front, by name."""
import pytest
import torch

from playground.cli import main
from playground.device import DeviceError, torch_device


def test_the_cpu_is_always_there():
    assert torch_device("cpu") == torch.device("cpu")


def test_an_unknown_device_name_is_refused():
    with pytest.raises(DeviceError, match="unknown device 'gpu'"):
        torch_device("gpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_says_so_and_what_to_do():
    with pytest.raises(DeviceError, match="'cuda' is not available to this PyTorch.*use --device cpu"):
        torch_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_index_past_the_last_is_refused():
    with pytest.raises(DeviceError, match="does not exist"):
        torch_device(f"cuda:{torch.cuda.device_count()}")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_play_on_a_missing_gpu_is_one_line_not_a_traceback(capsys, toy_checkpoint):
    assert main(["play", "--headless", "--ticks", "2", "--checkpoint", str(toy_checkpoint), "--device", "cuda"]) == 2
    assert "is not available to this PyTorch" in capsys.readouterr().err


def test_auto_picks_an_available_device():
    device = torch_device("auto")
    assert device.type == ("cuda" if torch.cuda.is_available() else device.type)
    assert torch.zeros(1, device=device).device.type == device.type
