"""playground.world: the seed rule every world shares."""
import numpy as np
import pytest

from playground.cli import main
from playground.dream.world import DreamConfig, DreamWorld
from playground.voxel import VoxelWorld
from playground.world import SeedError, world_seed


@pytest.mark.parametrize("seed", [0, 7, np.int64(12), 2**64 - 1])
def test_integer_seeds_from_zero_to_two_to_the_64_are_kept(seed):
    assert world_seed(seed) == int(seed) and type(world_seed(seed)) is int


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, "3", True])
def test_other_seeds_are_refused_with_the_range(seed):
    with pytest.raises(SeedError, match=r"integer from 0 to 2\*\*64 - 1"):
        world_seed(seed)


def test_no_seed_draws_a_fresh_one():
    seeds = {world_seed(None) for _ in range(8)}
    assert len(seeds) > 1 and all(0 <= s < 2**31 for s in seeds)


def test_both_worlds_refuse_a_bad_seed_before_touching_their_state(toy_checkpoint):
    for world in (VoxelWorld(), DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint)))):
        with pytest.raises(SeedError):
            world.reset(-1)
        assert world.seed is None


def test_the_largest_seed_dreams(toy_checkpoint):
    world = DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint)))
    first = world.reset(2**64 - 1)
    assert world.step(np.zeros(25, np.float32)).shape == first.shape


def test_the_cli_prints_the_rule_not_a_traceback(capsys):
    assert main(["play", "--world", "voxel", "--headless", "--ticks", "2", "--seed", str(2**64)]) == 2
    assert "integer from 0 to 2**64 - 1" in capsys.readouterr().err
