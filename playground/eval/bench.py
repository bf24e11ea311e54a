"""`playground bench`: throughput, latency and memory measurements.

- voxel: frames/s of the ground-truth world on one core.
- dream: per sampler preset, ticks/s end to end (model + decode), ms per stage (model,
  decode, display), latency in ticks (measured, see `measure_latency`), with the thread
  count and the precision used (bf16 when it measures faster, else fp32).
- memory: resident memory over a long headless dream session (must stay flat).
- vector: a step of the batched WorldModel-v0 vector env against one env.
- preset: a model preset's architecture with random weights (the public model's size).
`from_args` picks one from the command line's options and refuses options it would ignore.
"""
from __future__ import annotations

import platform
import time

import numpy as np
import torch
from tqdm import tqdm

from playground import actions as A
from playground.cli_types import flag, given_flags
from playground.config import ConfigError
from playground.device import torch_device
from playground.policies import script
from playground.voxel import VoxelConfig, VoxelWorld

from playground.dream.schedule import NAMED as DREAM_PRESETS  # noqa: E402


def bench_voxel(seeds: int = 4, ticks: int = 300, width: int = 64, height: int = 64) -> dict:
    """Frames/s of the voxel world on one core: full ticks (physics + render) under the
    exploring policy, and render-only, over `seeds` worlds (reset excluded)."""
    world = VoxelWorld(VoxelConfig.make(width, height))
    step_s = render_s = 0.0
    for s in range(seeds):
        world.reset(10_000 + s)
        acts = script("explore", np.random.default_rng(s), ticks)
        world.step(acts[0])  # warm caches
        t0 = time.perf_counter()
        for a in acts:
            world.step(a)
        t1 = time.perf_counter()
        for _ in range(ticks):
            world.render()
        step_s += t1 - t0
        render_s += time.perf_counter() - t1
    n = seeds * ticks
    res = {"width": width, "height": height, "frames": n,
           "ticks_per_s": round(n / step_s, 1), "render_fps": round(n / render_s, 1),
           "ms_per_tick": round(1000 * step_s / n, 3), "cpu": platform.processor() or platform.machine(),
           "threads": 1, "numpy": np.__version__}
    res["table"] = (f"voxel world {width}x{height}, {seeds} seeds x {ticks} ticks, one core\n"
                    f"  full tick (physics + render): {res['ticks_per_s']:8.1f} ticks/s "
                    f"({res['ms_per_tick']:.2f} ms)\n"
                    f"  render only:                  {res['render_fps']:8.1f} frames/s")
    return res


def _dream(models, name, params, bf16, recondition=True, device="cpu", world_memory=True):
    from playground.dream.settings import SamplerSettings
    from playground.dream.world import DreamConfig, DreamWorld
    sampler = SamplerSettings.named(name, params, bf16=bf16, recondition=recondition, world_memory=world_memory)
    return DreamWorld(DreamConfig(sampler=sampler, device=device), models=models)


def _display_ms(frame: np.ndarray, scale: int = 8) -> float:
    try:
        from playground.game.display import blit_cost_ms
    except Exception:  # no pygame display module available
        return float("nan")
    return blit_cost_ms(frame, scale)


def _run_ticks(world, ticks: int, seed: int = 0):
    acts = script("explore", np.random.default_rng(seed), ticks + 10)
    world.reset(seed)
    for a in acts[:10]:
        world.step(a)  # warm-up
    model = decode = memory = 0.0
    t0 = time.perf_counter()
    for a in acts[10:]:
        frame = world.step(a)
        tm = world.timings()
        model += tm.get("model_ms", 0.0)
        decode += tm.get("decode_ms", 0.0)
        memory += tm.get("memory_ms", 0.0)
    dt = time.perf_counter() - t0
    return ticks / dt, model / ticks, decode / ticks, memory / ticks, frame


def measure_latency(make_world, seed: int = 3, history: int = 12, horizon: int = 6) -> int | None:
    """Ticks until an action shows: two sessions with the same seed and history, then
    different actions (stand still vs turn right + walk). Returns k such that the frames
    are identical before the actions differ and first differ k ticks after (k = 0: the
    very frame produced by the differing action), or None if they never differ."""
    worlds = [make_world(), make_world()]
    hist = script("explore", np.random.default_rng(seed), history)
    frames = [[w.reset(seed)] + [w.step(a) for a in hist] for w in worlds]
    if not all(np.array_equal(a, b) for a, b in zip(*frames)):
        raise AssertionError("identical histories gave different frames: the session is not reproducible")
    diverge = [A.zero(), A.make({"forward"}, yaw=1.0)]
    for k in range(horizon):
        out = [w.step(diverge[i]) for i, w in enumerate(worlds)]
        if not np.array_equal(out[0], out[1]):
            return k
    return None


def _precisions(device: str) -> tuple[bool, ...]:
    """The bf16 settings worth timing: fp32 always, bf16 where the device computes it natively
    (emulated bf16 on a CPU without it runs several times slower; device.native_bf16_cpu)."""
    from playground.device import native_bf16_cpu
    return (False,) if torch_device(device).type == "cpu" and not native_bf16_cpu() else (False, True)


def bench_dream(checkpoint=None, presets=None, ticks: int = 150, device: str = "cpu",
                threads: int | None = None, compare_kernels: bool = False, world_memory: bool = True) -> dict:
    """Ticks/s, ms per stage (the world memory's too) and latency of each preset at its
    faster precision (_precisions); world_memory False: without it (the sampler's --no-world-memory)."""
    from playground import ops
    from playground.dream.load import load_dream
    if threads:
        torch.set_num_threads(threads)
    models = load_dream(checkpoint, device)
    if compare_kernels:
        return _compare_kernels(models, presets, ticks, device)
    rows = []
    for key in tqdm(presets or list(DREAM_PRESETS), desc="bench", unit="preset", leave=False):
        name, params = DREAM_PRESETS[key]
        best = None
        for bf16 in _precisions(device):
            tps, model_ms, decode_ms, memory_ms, frame = _run_ticks(
                _dream(models, name, params, bf16, device=device, world_memory=world_memory), ticks)
            if best is None or tps > best["ticks_per_s"]:
                best = {"preset": key, "ticks_per_s": round(tps, 1), "model_ms": round(model_ms, 2),
                        "decode_ms": round(decode_ms, 2), "memory_ms": round(memory_ms, 2),
                        "precision": "bf16" if bf16 else "fp32"}
        best["display_ms"] = round(_display_ms(frame), 2)
        bf16 = best["precision"] == "bf16"
        best["latency_ticks"] = measure_latency(lambda: _dream(models, name, params, bf16, device=device))
        best["latency_ticks_no_recondition"] = measure_latency(
            lambda: _dream(models, name, params, bf16, recondition=False, device=device))
        rows.append(best)
    head = f"{'preset':<16}{'ticks/s':>9}{'model ms':>10}{'decode ms':>10}{'memory ms':>10}{'display ms':>11}" \
           f"{'latency':>9}{'(no recond.)':>13}  precision"
    lines = [head] + [f"{r['preset']:<16}{r['ticks_per_s']:>9}{r['model_ms']:>10}{r['decode_ms']:>10}"
                      f"{r['memory_ms']:>10}"
                      f"{r['display_ms']:>11}{str(r['latency_ticks']):>9}{str(r['latency_ticks_no_recondition']):>13}"
                      f"  {r['precision']}" for r in rows]
    info = {"device": device, "threads": torch.get_num_threads(), "kernels": ops.backend_name(device),
            "cpu": platform.processor() or platform.machine(), "torch": torch.__version__,
            "checkpoint_sha256": models[2]["sha256"], "ticks": ticks, "world_memory": world_memory}
    table = f"dream on {device} ({info['threads']} threads, kernels: {info['kernels']}), {ticks} ticks per preset" \
            f"{', world memory on' if world_memory else ', world memory off'}\n"
    return {"presets": rows, **info, "table": table + "\n".join(lines)}


def rss_mb() -> float:
    """This process's resident memory in MiB (psutil: Linux, macOS and Windows alike)."""
    import psutil
    return psutil.Process().memory_info().rss / 2**20


def bench_memory(checkpoint=None, ticks: int = 10_000, warmup: int = 500, preset: str = "frame-2",
                 world_memory: bool = True) -> dict:
    """Resident memory of a long headless dream session, sampled every 500 ticks."""
    from playground.dream.load import load_dream
    name, params = DREAM_PRESETS[preset]
    world = _dream(load_dream(checkpoint), name, params, bf16=False, world_memory=world_memory)
    acts = script("explore", np.random.default_rng(0), ticks)
    world.reset(0)
    samples = []
    for t, a in enumerate(tqdm(acts, desc="memory", unit="tick", leave=False), 1):
        world.step(a)
        if t % 500 == 0:
            samples.append((t, round(rss_mb(), 1)))
    base = next(m for t, m in samples if t >= warmup)
    growth = samples[-1][1] - base
    return {"ticks": ticks, "preset": preset, "rss_mb": samples, "growth_after_warmup_mb": round(growth, 1),
            "state": world.session.state_size(),
            "table": f"{ticks} ticks ({preset}): RSS {base:.0f} MB after warm-up -> {samples[-1][1]:.0f} MB "
                     f"(growth {growth:+.1f} MB); state {world.session.state_size()}"}


def _compare_kernels(models, presets, ticks, device) -> dict:
    """End-to-end ticks/s of each preset with the Triton kernels vs the PyTorch path."""
    from playground import ops
    rows = []
    for key in tqdm(presets or list(DREAM_PRESETS), desc="bench", unit="preset", leave=False):
        name, params = DREAM_PRESETS[key]
        row = {"preset": key}
        for backend in ("torch", "triton"):
            with ops.forced_backend(backend):
                row[f"ticks_per_s_{backend}"] = round(_run_ticks(_dream(models, name, params, True, device=device),
                                                                 ticks)[0], 1)
        rows.append(row)
    lines = [f"{'preset':<16}{'torch':>10}{'triton':>10}"] + \
        [f"{r['preset']:<16}{r['ticks_per_s_torch']:>10}{r['ticks_per_s_triton']:>10}" for r in rows]
    return {"kernels_comparison": rows, "device": device,
            "table": f"dream ticks/s on {device}, bf16, PyTorch path vs Triton kernels\n" + "\n".join(lines)}


def bench_vector(checkpoint=None, num_envs: int = 8, ticks: int = 40, rounds: int = 10,
                 action_guidance: float | None = None) -> dict:
    """Seconds per step of the batched WorldModel-v0 vector env with `num_envs` envs vs
    with one env (same sampler), for fp32 and, where native (_precisions), bf16; the ratio
    at the best precision.
    action_guidance: None uses the checkpoint's recommendation.
    The four configurations are timed in interleaved rounds and each keeps its median
    round, so a burst of load from elsewhere on the machine cannot favour one of them."""
    from playground.envs.dream_vector_env import WorldModelVectorEnv
    envs = {}
    for bf16 in _precisions("auto"):         # the env's default device
        for n in (1, num_envs):
            env = WorldModelVectorEnv(num_envs=n, checkpoint=checkpoint, max_episode_steps=None,
                                      sampler={"bf16": bf16, "action_guidance": action_guidance})
            env.reset(seed=0)
            envs[("bf16" if bf16 else "fp32", n)] = env
    per_round = max(1, ticks // rounds)
    times = {key: [] for key in envs}
    for r in range(rounds + 1):                      # round 0 warms up
        for key, env in envs.items():
            acts = np.zeros((key[1], A.ACTION_DIM), np.float32)
            t0 = time.perf_counter()
            for _ in range(per_round):
                env.step(acts)
            if r:
                times[key].append((time.perf_counter() - t0) / per_round)
    rows = {key: float(np.median(t)) for key, t in times.items()}
    timed = sorted({p for p, _ in rows})
    best1 = min(rows[(p, 1)] for p in timed)
    bestn = min(rows[(p, num_envs)] for p in timed)
    opts = envs["fp32", num_envs].settings
    res = {"num_envs": num_envs, "ms_per_step": {f"{p}/{n}": round(v * 1000, 2) for (p, n), v in rows.items()},
           "ratio_best": round(bestn / best1, 2), "threads": torch.get_num_threads(),
           "action_guidance": opts.action_guidance, "guidance_min_level": opts.guidance_min_level,
           "guidance_on": opts.guidance_on,
           "steps": per_round * rounds}
    res["table"] = (f"WorldModel-v0 vector env, median of {rounds} rounds of {per_round} steps: one env "
                    f"{best1 * 1000:.1f} ms/step, {num_envs} envs {bestn * 1000:.1f} ms/step (batched), "
                    f"ratio {res['ratio_best']:.2f}x, action guidance {res['action_guidance']:g} "
                    f"(per precision: {res['ms_per_step']})")
    return res


def bench_public(preset: str = "oasis-500m", device: str = "cpu", reduced: bool | None = None,
                 ticks: int = 10) -> dict:
    """The public model's architecture with random weights: ms per tick of 10-step `frame`
    sampling with and without the key/value cache, and of `progressive`. On a CPU the
    configuration is reduced (depth 2, width 256) and the result says so."""
    from dataclasses import replace

    from playground.dream.settings import SamplerSettings
    from playground.dream.world import DreamConfig, DreamWorld
    from playground.model.dit import DiT
    from playground.model.presets import dit_preset
    from playground.model.vit_autoencoder import ViTAEConfig, ViTAutoencoder
    torch_device(device)
    reduced = (device == "cpu") if reduced is None else reduced
    dcfg, vcfg = dit_preset(preset), ViTAEConfig()
    if reduced:
        dcfg = replace(dcfg, depth=2, dim=256, heads=4)
        vcfg = replace(vcfg, dim=256, heads=4, encoder_depth=1, decoder_depth=1)
    torch.manual_seed(0)
    dit, vae = DiT(dcfg), ViTAutoencoder(vcfg)
    for p in dit.parameters():       # random, and every adaLN path active
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.02)
    models = (dit.to(device).eval(), vae.to(device).eval(), {"path": "random", "sha256": "random" * 8})
    settings = [("frame-10, k/v cache", "frame", {"steps": 10, "context_label": 15}, True),
                ("frame-10, no cache (reference)", "frame", {"steps": 10, "context_label": 15}, False),
                ("progressive-4, k/v cache", "progressive", {"frames": 4, "substeps": 1}, True)]
    rows = []
    for label, name, params, cache in settings:
        sampler = SamplerSettings.named(name, params, kv_cache=cache, bf16=device != "cpu")
        world = DreamWorld(DreamConfig(sampler=sampler, device=device), models=models)
        tps, model_ms, decode_ms, _, _ = _run_ticks(world, ticks)
        rows.append({"setting": label, "ticks_per_s": round(tps, 2), "ms_per_tick": round(1000 / tps, 1),
                     "model_ms": round(model_ms, 1), "decode_ms": round(decode_ms, 1)})
    gpu = torch.cuda.get_device_name() if device.startswith("cuda") else None
    note = ("reduced configuration (depth 2, width 256) on the CPU: the real size was NOT measured here"
            if reduced else f"real size on {gpu or device}")
    lines = [f"{preset}: {note}, {ticks} ticks each"] + \
        [f"  {r['setting']:<34}{r['ticks_per_s']:>8} ticks/s  {r['ms_per_tick']:>8} ms/tick "
         f"(model {r['model_ms']} ms, decode {r['decode_ms']} ms)" for r in rows]
    return {"preset": preset, "device": device, "gpu": gpu, "reduced": reduced, "rows": rows,
            "params_dit": sum(p.numel() for p in dit.parameters()), "table": "\n".join(lines)}


# What each kind of bench measures with, and its ticks per measurement when not given.
BENCH_MODES = {
    "voxel": ({"seeds", "ticks", "width", "height"}, 300),
    "preset": ({"device", "ticks"}, 10),
    "vector": ({"checkpoint", "guidance", "ticks"}, 150),
    "memory_ticks": ({"checkpoint"}, None),
    "dream": ({"checkpoint", "presets", "device", "threads", "compare_kernels", "ticks"}, 150),
}
BENCH_DEFAULTS = {"device": "cpu"}   # the others default to None or False


def mode(args) -> str:
    """Which bench the options ask for; ConfigError for two at once or for an option that
    the chosen one would ignore."""
    asked = [m for m in ("preset", "vector", "memory_ticks") if getattr(args, m)]
    asked += ["voxel"] if args.world == "voxel" else []
    if len(asked) > 1:
        raise ConfigError(f"one measurement at a time: {' and '.join(_mode_flag(m) for m in asked)} each run their own")
    chosen = asked[0] if asked else "dream"
    others = sorted({n for takes, _ in BENCH_MODES.values() for n in takes} - BENCH_MODES[chosen][0])
    ignored = given_flags(args, others, BENCH_DEFAULTS)
    if ignored:
        what = "the dream's presets" if chosen == "dream" else _mode_flag(chosen)
        raise ConfigError(f"{', '.join(ignored)}: not used when measuring {what}")
    return chosen


def _mode_flag(name: str) -> str:
    return "--world voxel" if name == "voxel" else flag(name)


def from_args(args) -> dict:
    """Run the measurement `playground bench`'s options ask for (see BENCH_MODES)."""
    chosen = mode(args)
    ticks = args.ticks or BENCH_MODES[chosen][1]
    if chosen == "voxel":   # bench_voxel's own defaults for what was not given
        return bench_voxel(ticks=ticks, **{k: getattr(args, k) for k in ("seeds", "width", "height")
                                         if getattr(args, k) is not None})
    if chosen == "preset":
        return bench_public(args.preset, device=args.device, ticks=ticks)
    if chosen == "vector":
        return bench_vector(args.checkpoint, num_envs=args.vector, ticks=ticks, action_guidance=args.guidance)
    if chosen == "memory_ticks":
        return bench_memory(args.checkpoint, ticks=args.memory_ticks, world_memory=args.world_memory)
    return bench_dream(args.checkpoint, presets=args.presets, ticks=ticks, device=args.device,
                       threads=args.threads, compare_kernels=args.compare_kernels, world_memory=args.world_memory)
