import numpy as np
import pytest

from playground.dream import schedule as S
from playground.dream.schedule import TOP, Schedule, ScheduleError, validate


@pytest.mark.parametrize("make", [
    lambda: S.progressive(4, 1, 1, 1), lambda: S.progressive(6, 2, 2, 3), lambda: S.frame(4, 8),
    lambda: S.frame(1, 1, 14), lambda: S.pyramid(8, 2), lambda: S.chunked(4, 4, 4), lambda: S.chunked(2, 3, 1)])
def test_presets_are_valid(make):
    s = make()
    assert validate(s) is s and s.levels[0, -s.shift:].tolist() == [TOP] * s.shift


def test_progressive_levels_follow_pa_vdm():
    s = S.progressive(frames=4, chunk=1, context=1, substeps=1)
    assert s.levels.tolist() == [[0, 250, 500, 749, TOP], [0, 0, 250, 500, 749]]
    assert s.context == 1 and s.latency == 3 and s.calls == 1


def test_frame_schedule_denoises_the_newest_only():
    s = S.frame(steps=4, context=3, context_label=14)
    assert (s.levels[:, :3] == 0).all() and s.levels[:, 3].tolist() == [TOP, 749, 500, 250, 0]
    assert s.latency == 0 and s.context_label == 14


def bad(levels, shift=1):
    return Schedule("bad", np.array(levels), shift)


def test_rejects_increasing_levels_naming_condition_1():
    with pytest.raises(ScheduleError, match=r"condition 1 \(monotone\).*slot 1"):
        validate(bad([[0, 500, TOP], [0, 600, 400], [0, 0, 500]]))


def test_rejects_non_repeating_tables_naming_condition_2():
    with pytest.raises(ScheduleError, match=r"condition 2 \(circular\)"):
        validate(bad([[0, 300, TOP], [0, 0, 600]]))


def test_rejects_wrong_entry_level_naming_condition_3():
    with pytest.raises(ScheduleError, match=r"condition 3 \(boundary\).*enter"):
        validate(bad([[0, 500, 900], [0, 0, 500]]))


def test_rejects_frames_leaving_noisy_naming_condition_3():
    with pytest.raises(ScheduleError, match=r"condition 3 \(boundary\).*leave"):
        validate(bad([[TOP, TOP], [10, 10]], shift=2))


def test_unknown_preset_and_bad_params():
    with pytest.raises(ScheduleError, match="presets"):
        S.preset("nope")
    with pytest.raises(ScheduleError, match="multiple"):
        S.progressive(frames=5, chunk=2)


def test_every_preset_takes_a_context_label():
    for name in S.PRESETS:
        assert S.preset(name, context_label=25).context_label == 25
    with pytest.raises(S.ScheduleError, match="context_label"):
        S.preset("frame", context_label=-1)


@pytest.mark.parametrize("name, params, words", [("frame", {"steps": 0}, "steps must be an integer of at least 1, got 0"),
                                                 ("chunked", {"chunk": -2}, "chunk must be an integer of at least 1"),
                                                 ("progressive", {"context": -1}, "context must be an integer of at least 0"),
                                                 ("pyramid", {"steps": 2.5}, "steps must be an integer")])
def test_preset_counts_out_of_range_are_named(name, params, words):
    with pytest.raises(ScheduleError, match=words):
        S.preset(name, **params)
