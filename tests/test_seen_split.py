"""Where a dream's turns lose: the seen part made exact, or the unseen part filled plainly."""
import numpy as np
import pytest

from playground import actions as A
from playground.eval.reprojection import ReprojectionTurns, following_ceiling
from playground.eval.seen_split import RememberedDream, SeenSplit, effective_turn, seen_split

SEEDS = [1_000_902]


class Counting:
    """A World that counts how often it is asked to dream."""

    def __init__(self, world):
        self.world, self.calls = world, 0

    def reset(self, seed):
        self.calls += 1
        return self.world.reset(seed)

    def step(self, action):
        self.calls += 1
        return self.world.step(action)


def test_a_dream_with_exact_turns_splits_into_its_own_fill_and_the_edge_fill():
    # The row-mean re-projection is exact where the start frame shows the pixel, so making
    # that part exact changes nothing, and filling its unseen part with the edge fill makes
    # it the edge re-projection: the split must give back the two ceilings.
    split = seen_split(ReprojectionTurns("rowmean"), SEEDS, steps=16)
    ceiling = following_ceiling(SEEDS, steps=16)
    assert ceiling["rowmean"] != ceiling["edge"]          # on this seed the fill decides a comparison
    assert split["dream"] == split["seen"] == ceiling["rowmean"]
    assert split["unseen"] == ceiling["edge"]


def test_frames_are_swapped_only_while_turning_in_place():
    world = SeenSplit(RememberedDream(ReprojectionTurns("rowmean")), "unseen")
    plain = ReprojectionTurns("rowmean")
    world.reset(SEEDS[0]), plain.reset(SEEDS[0])
    assert not (world.step(A.make(yaw=1.0)) == plain.step(A.make(yaw=1.0))).all()   # edge fill, not row means
    walk = A.make(["forward"], yaw=1.0)
    assert (world.step(walk) == plain.step(walk)).all()                            # the dream passes through


def test_each_rollout_is_dreamed_once_and_replayed_when_asked_out_of_order():
    counting = Counting(ReprojectionTurns("edge"))
    remembered = RememberedDream(counting)
    turn = [A.make(yaw=0.5)] * 3
    first = [remembered.reset(7)] + [remembered.step(a) for a in turn]
    assert counting.calls == 4
    again = [remembered.reset(7)] + [remembered.step(a) for a in turn]
    assert counting.calls == 4 and all((x == y).all() for x, y in zip(first, again))
    remembered.reset(7)
    remembered.step(turn[0])
    remembered.step(A.make(yaw=-0.5))      # a new branch: the dream replays reset + one step, then steps
    assert counting.calls == 4 + 3


def test_effective_turn_of_the_exact_turn_is_the_worlds():
    out = effective_turn(ReprojectionTurns("rowmean"), SEEDS, steps=3)
    assert out["world_per_tick"] == 5.0 and out["per_tick"] == 5.0
    assert out["angles"] == {"turn_left": [5.0, 10.0, 15.0], "turn_right": [5.0, 10.0, 15.0]}


def test_effective_turn_sees_a_dream_that_turns_less():
    class HalfTurns(ReprojectionTurns):      # turns 2.5 degrees a tick when told 5
        def step(self, action):
            half = np.array(action, np.float32)
            half[A.YAW] /= 2
            return super().step(half)

    assert effective_turn(HalfTurns("rowmean"), SEEDS, steps=3)["per_tick"] == 2.5


def test_unknown_part_is_refused():
    with pytest.raises(ValueError, match="part must be"):
        SeenSplit(ReprojectionTurns("edge"), "both")
