"""Few-step self-distillation (train/fewstep.py)."""
import numpy as np
import pytest
import torch

from playground.config import ConfigError
from playground.model.diffusion import add_noise, alphas_cumprod, ddim_step, x0_from_v
from playground.model.dit import DiT, DiTConfig
from playground.train.fewstep import FewStepConfig, chain_end, fewstep_levels, fewstep_loss


def _oracle(abar, x0):
    """The v that points every frame of a window at x0 (B, T, C, h, w) exactly."""
    def predict_v(x, levels):
        a = abar[levels].view(*levels.shape, 1, 1, 1)
        eps = (x - a.sqrt() * x0) / (1 - a).sqrt()
        return a.sqrt() * eps - (1 - a).sqrt() * x0
    return predict_v


def test_the_chain_of_a_perfect_model_ends_at_its_frame_and_steps_as_ddim():
    abar = alphas_cumprod().float()
    x0 = torch.randn(3, 4, 2, 4, 4)
    levels = torch.tensor([[10, 10, 10, 999], [0, 0, 0, 500], [20, 20, 20, 250]])
    x_t = add_noise(abar, x0, levels, torch.randn_like(x0))
    torch.testing.assert_close(chain_end(_oracle(abar, x0), abar, x_t, levels, 8), x0[:, -1], atol=1e-3, rtol=1e-3)
    seen = []                               # the levels each call saw: evenly spaced down to the last step

    def record(x, lv):
        seen.append(lv[:, -1].tolist())
        return torch.zeros_like(x)
    end = chain_end(record, abar, x_t, levels, 4)
    assert seen == [[999, 500, 250], [749, 375, 187], [499, 250, 125], [249, 125, 62]]
    k, z = levels[:, -1:], x_t[:, -1:]
    for nxt in ([[749], [375], [187]], [[499], [250], [125]], [[249], [125], [62]], [[0], [0], [0]]):
        z = ddim_step(abar, z, torch.zeros_like(z), k, torch.tensor(nxt))
        k = torch.tensor(nxt)
    torch.testing.assert_close(end, z[:, 0])


def test_fewstep_levels_put_only_the_newest_frame_at_a_sampler_level():
    cfg = FewStepConfig(prob=1.0, levels=(999, 500))
    levels, mask = fewstep_levels(np.random.default_rng(0), 64, 6, cfg, 250)
    assert set(levels[:, -1]) == {999, 500} and (levels[:, :-1] <= 250).all()
    assert (levels[:, :-1] == levels[:, :1]).all()              # one context level per clip
    assert (mask[:, -1] == 1).all() and (mask[:, :-1] == 0).all()


def test_the_loss_is_the_clean_frame_error_against_the_models_own_chain():
    torch.manual_seed(0)
    dit = DiT(DiTConfig(in_channels=4, input_size=(4, 4), dim=32, depth=1, heads=2, max_frames=6))
    with torch.no_grad():
        for p in dit.parameters():
            p.add_(0.05 * torch.randn_like(p))
    abar = alphas_cumprod().float()
    x_t, actions = torch.randn(2, 5, 4, 4, 4), torch.randn(2, 5, 25)
    levels = torch.tensor([[5] * 4 + [999], [0] * 4 + [500]])

    def predict_v(x, lv):
        return dit(x, lv, actions)[0]
    v = predict_v(x_t, levels)
    loss = fewstep_loss(predict_v, abar, x_t, levels, v, 4)
    want = chain_end(predict_v, abar, x_t, levels, 4)
    x0 = x0_from_v(abar, x_t[:, -1], levels[:, -1], v[:, -1])
    torch.testing.assert_close(loss, ((x0 - want) ** 2).mean())
    loss.backward()                                             # through the student only
    assert sum(float(p.grad.abs().sum()) for p in dit.final_layer.parameters() if p.grad is not None) > 0


def test_where_the_picture_covers_the_target_is_the_datas_frame_and_the_chain_elsewhere():
    abar = alphas_cumprod().float()
    x0, other = torch.randn(2, 3, 2, 4, 4), torch.randn(2, 3, 2, 4, 4)
    levels = torch.tensor([[10, 10, 999], [0, 0, 500]])
    x_t = add_noise(abar, x0, levels, torch.randn_like(x0))
    teacher = _oracle(abar, other)                      # a chain that ends at another frame
    v = teacher(x_t, levels)                            # a student that already agrees with it
    covered = torch.zeros(2, 4, 4)
    assert float(fewstep_loss(teacher, abar, x_t, levels, v, 4, x0[:, -1], covered)) < 1e-4
    covered[:, :2] = 1.0                                # the top half seen: there the data's frame is the target
    want = ((other[:, -1, :, :2] - x0[:, -1, :, :2]) ** 2).sum() / other[:, -1].numel()
    torch.testing.assert_close(fewstep_loss(teacher, abar, x_t, levels, v, 4, x0[:, -1], covered), want,
                               atol=1e-3, rtol=1e-3)


def test_fewstep_batches_train_the_newest_frame_at_the_samplers_levels():
    from playground.train.dit import DiTTrainConfig, make_batch_fn, make_loss_fn
    lat = np.random.default_rng(0).standard_normal((3, 20, 4, 4, 4)).astype(np.float16)
    cfg = DiTTrainConfig(model=DiTConfig(in_channels=4, input_size=(4, 4), dim=32, depth=1, heads=2, max_frames=6),
                         clip=6, memory_prob=0.0, fewstep=FewStepConfig(prob=1.0, teacher_steps=3))
    b = make_batch_fn(lat, np.zeros((3, 20, 25), np.float32), cfg, "cpu")(np.random.default_rng(0), 0)
    assert int(b["fewstep"]) == 1 and int(b["dreamed"]) == 0 and set(b["levels"][:, -1].tolist()) <= {999, 500}
    torch.manual_seed(0)
    loss, logs = make_loss_fn(alphas_cumprod().float(), fewstep=cfg.fewstep)(DiT(cfg.model), b)
    loss.backward()
    assert torch.isfinite(loss) and logs["fewstep"] == 1


def test_an_ema_teacher_runs_the_chain_and_the_student_takes_the_gradient():
    from playground.train.dit import DiTTrainConfig, make_batch_fn, make_loss_fn
    lat = np.random.default_rng(1).standard_normal((3, 20, 4, 4, 4)).astype(np.float16)
    model_cfg = DiTConfig(in_channels=4, input_size=(4, 4), dim=32, depth=1, heads=2, max_frames=6)
    cfg = DiTTrainConfig(model=model_cfg, clip=6, memory_prob=0.0,
                         fewstep=FewStepConfig(prob=1.0, teacher_steps=3, teacher="ema"))
    b = make_batch_fn(lat, np.zeros((3, 20, 25), np.float32), cfg, "cpu")(np.random.default_rng(0), 0)
    torch.manual_seed(0)
    student, ema = DiT(model_cfg), DiT(model_cfg).requires_grad_(False)
    with torch.no_grad():
        for p in ema.parameters():
            p.add_(0.05 * torch.randn_like(p))
    abar = alphas_cumprod().float()
    loss, _ = make_loss_fn(abar, fewstep=cfg.fewstep, teacher=lambda: ema)(student, b)
    x_t = add_noise(abar, b["x0"], b["levels"], b["eps"])
    want = chain_end(lambda x, lv: ema(x, lv, b["actions"])[0], abar, x_t, b["levels"], 3)
    v = student(x_t, b["levels"], b["actions"])[0]
    x0 = x0_from_v(abar, x_t[:, -1], b["levels"][:, -1], v[:, -1])
    torch.testing.assert_close(loss, ((x0 - want) ** 2).mean())
    own, _ = make_loss_fn(abar, fewstep=cfg.fewstep)(student, b)       # the student's own chain is another target
    assert not torch.isclose(own, loss)
    loss.backward()
    assert all(p.grad is None for p in ema.parameters())
    assert any(p.grad is not None for p in student.parameters())


def test_with_data_where_covered_the_loss_reads_the_pictures_coverage():
    from playground.train.dit import DiTTrainConfig, make_batch_fn, make_loss_fn
    rng = np.random.default_rng(2)
    lat = rng.standard_normal((3, 20, 4, 4, 4)).astype(np.float16)
    renders = np.concatenate([rng.standard_normal((3, 20, 4, 4, 4)), np.ones((3, 20, 1, 4, 4))], 2).astype(np.float16)
    model_cfg = DiTConfig(in_channels=4, input_size=(4, 4), dim=32, depth=1, heads=2, max_frames=6, render_input=True)
    cfg = DiTTrainConfig(model=model_cfg, clip=6, memory_prob=0.0, dream_prob=0.0,
                         fewstep=FewStepConfig(prob=1.0, teacher_steps=2, data_where_covered=True))
    b = make_batch_fn(lat, np.zeros((3, 20, 25), np.float32), cfg, "cpu", renders)(np.random.default_rng(0), 0)
    torch.manual_seed(0)
    net, abar = DiT(model_cfg), alphas_cumprod().float()
    loss, _ = make_loss_fn(abar, fewstep=cfg.fewstep)(net, b)
    x_t = add_noise(abar, b["x0"], b["levels"], b["eps"])
    x0 = x0_from_v(abar, x_t[:, -1], b["levels"][:, -1], net(x_t, b["levels"], b["actions"], render=b["render"])[0][:, -1])
    torch.testing.assert_close(loss, ((x0 - b["x0"][:, -1]) ** 2).mean())   # all covered: the data's frame


@pytest.mark.parametrize("kwargs, match", [(dict(prob=1.5), "probability"), (dict(levels=(1000,)), "noise levels"),
                                           (dict(levels=()), "noise levels"), (dict(teacher_steps=1), "at least 2"),
                                           (dict(teacher="teacher"), "online, ema")])
def test_bad_fewstep_settings_are_refused(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        FewStepConfig(**kwargs)
