"""Sampler defaults recommended by a checkpoint: applied when the user leaves them open,
overridden by explicit choices, recorded with the world."""
import pytest

from playground import checkpoint
from playground.config import ConfigError
from playground.dream.settings import SamplerSettings
from playground.dream.world import DreamConfig, DreamWorld
from playground.record.world_spec import describe


@pytest.fixture(scope="module")
def tuned_checkpoint(toy_checkpoint, tmp_path_factory):
    tensors, meta = checkpoint.read(toy_checkpoint)
    path = tmp_path_factory.mktemp("tuned") / "tuned.safetensors"
    models = {}
    from playground.dream.load import build
    for prefix in ("ae", "dit"):
        m = build(meta["models"][prefix], prefix)
        checkpoint.load_module(m, checkpoint.split(tensors, prefix), prefix)
        models[prefix] = (meta["models"][prefix]["family"], m.cfg, m)
    checkpoint.save(path, models, extra={"sampler": {"context_label": 30, "action_guidance": 1.5,
                                                     "guidance_min_level": 501, "guidance_on": "keys"}})
    return path


def test_checkpoint_defaults_apply_and_are_recorded(tuned_checkpoint):
    world = DreamWorld(DreamConfig(checkpoint=str(tuned_checkpoint)))
    assert world.schedule.context_label == 30 and world.settings.action_guidance == 1.5
    assert world.settings.guidance_min_level == 501 and world.info()["guidance_min_level"] == 501
    assert world.info()["guidance_on"] == "keys"
    spec = describe(world)
    assert spec["sampler"]["schedule_params"]["context_label"] == 30 and spec["sampler"]["action_guidance"] == 1.5
    assert world.config.sampler.action_guidance is None     # the caller's settings are left as given
    world.reset(3)
    world.change_steps(+1)                          # a new schedule keeps the label
    assert world.schedule.context_label == 30


def test_explicit_choices_win(tuned_checkpoint):
    cfg = DreamConfig(checkpoint=str(tuned_checkpoint),
                      sampler=SamplerSettings(schedule_params={"steps": 2, "context_label": 0}, action_guidance=0.0))
    world = DreamWorld(cfg)
    assert world.schedule.context_label == 0 and world.settings.action_guidance == 0.0


def test_no_defaults_means_plain_sampling(toy_checkpoint):
    world = DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint)))
    assert world.schedule.context_label == 0 and world.settings.action_guidance == 0.0


def test_bad_defaults_name_the_problem():
    from playground.dream.tuning import from_checkpoint
    with pytest.raises(ConfigError, match="unknown key"):
        from_checkpoint({"path": "x", "extra": {"sampler": {"guidance": 1}}})


def test_unknown_guidance_target_is_refused(toy_checkpoint):
    with pytest.raises(ConfigError, match="guidance_on must be one of all, keys"):
        DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint), sampler=SamplerSettings(guidance_on="camera")))
    from playground.dream.tuning import SamplerDefaults
    with pytest.raises(ConfigError, match="guidance_on must be one of"):
        SamplerDefaults(guidance_on="turns")


def test_a_guidance_level_outside_the_noise_levels_is_refused(toy_checkpoint):
    with pytest.raises(ConfigError, match="guidance_min_level must be a noise level in 0..999"):
        DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint), sampler=SamplerSettings(guidance_min_level=-3)))
    from playground.dream.tuning import SamplerDefaults
    with pytest.raises(ConfigError, match="guidance_min_level must be a noise level"):
        SamplerDefaults(guidance_min_level=1000)


@pytest.mark.parametrize("guidance", [float("nan"), float("inf"), "4"])
def test_a_guidance_weight_that_is_not_a_finite_number_is_refused(toy_checkpoint, guidance):
    with pytest.raises(ConfigError, match="action_guidance must be a finite number"):
        DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint), sampler=SamplerSettings(action_guidance=guidance)))
