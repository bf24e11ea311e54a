"""`playground` command line: play, datagen, train, train-idm, train-depth, average, bench, eval, replay, export.

User mistakes (bad files, configs, arguments, paths that cannot be read or written, no
display) print one clear line and exit
with status 2; there is no traceback unless PLAYGROUND_DEBUG=1.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from playground import __version__
from playground.camera import FOV_DEGREES
from playground.cli_types import COUNT, NATURAL, at_least, positive
from playground.cli_world import add_world_args, make_world
from playground.config import ConfigError, overrides
from playground.dream.schedule import NAMED as NAMED_SCHEDULES
from playground.policies import NAMES as POLICY_NAMES


def cmd_play(args) -> int:
    if args.headless:
        return _play_headless(args)
    from playground.game import world_thread
    from playground.game.client import Client, ClientOptions
    from playground.keymap import Keymap
    keymap = Keymap.load(args.keymap)   # a bad keymap should fail before the model loads
    world = world_thread.call(make_world, args)   # the model's tensor work stays on one thread
    opts = ClientOptions(scale=args.scale, tick_rate=args.tick_rate, seed=args.seed,
                         max_ticks=args.ticks, show_help=args.show_help, record_dir=args.record)
    client = Client(world, opts, keymap)
    ticks = client.run()
    print(f"played {ticks} ticks ({client.ticks_per_s:.1f} ticks/s; the target is {args.tick_rate:g})")
    return 0


def _play_headless(args) -> int:
    from playground.game.headless import run_headless
    world = make_world(args)
    recorder = None

    def on_tick(t, action, frame):
        nonlocal recorder
        if args.record and recorder is None:
            from playground.record import Recorder
            recorder = Recorder(args.record, world)
        if recorder is not None:
            recorder.add(action, frame)
    try:
        summary = run_headless(world, args.ticks or 200, 0 if args.seed is None else args.seed,
                               args.policy, on_tick=on_tick)
    finally:
        if recorder is not None:
            summary_path = recorder.close()
            print(f"recording saved: {summary_path}", file=sys.stderr)
    print(json.dumps(summary, indent=1))
    return 0


def cmd_datagen(args) -> int:
    from playground.train.datagen import DatagenConfig, from_recordings, generate
    if args.from_recordings:
        out = from_recordings(args.from_recordings, args.out, ticks=args.ticks, episodes_per_shard=args.shard_size)
        print(f"dataset ready in {out}")
        return 0
    cfg = DatagenConfig(episodes=args.episodes, ticks=args.ticks, episodes_per_shard=args.shard_size,
                        seed=args.seed, revisit_fraction=args.revisit_fraction,
                        steady_fraction=args.steady_fraction, stroll_fraction=args.stroll_fraction,
                        width=args.width, height=args.height, fov=args.fov)
    out = generate(args.out, cfg)
    print(f"dataset ready in {out}")
    return 0


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def cmd_train(args) -> int:
    from playground.config import build, load_yaml, preset_path
    default = {"ae": "ae", "dit": "dit-tiny"}[args.what]
    data = _merge(load_yaml(preset_path(args.config or default)), overrides(args.set))
    if args.what == "ae":
        from playground.train.autoencoder import AETrainConfig, train
        from playground.train.heldout import heldout_frames
        if len(args.data) > 1:
            raise ConfigError("`train ae` takes one --data folder; several are for `train dit`")
        cfg = build(AETrainConfig, data, args.config or args.what)
        path = train(args.data[0], args.out, cfg, heldout=heldout_frames(16, size=cfg.model.image_size),
                     device=args.device)
        print(f"autoencoder written to {path}")
        return 0
    if args.what == "dit":
        from playground.train.dit import DiTTrainConfig, train
        if not args.ae:
            raise ConfigError("training the DiT needs --ae PATH (an autoencoder from `playground train ae`)")
        cfg = build(DiTTrainConfig, data, args.config or "dit-tiny")
        if args.export_only:
            from playground.train.dit import export_from_state
            path = export_from_state(args.out, args.ae, cfg, args.export_only)
            print(f"model exported to {path}")
            return 0
        path = train(args.data, args.ae, args.out, cfg, device=args.device)
        print(f"model written to {path}")
        return 0
    raise ConfigError(f"unknown training target {args.what!r}")


def cmd_average(args) -> int:
    from playground.train.average import average, normalized_weights
    weights = normalized_weights(len(args.checkpoints), args.weights)
    digest = average(args.checkpoints, args.out, weights)
    mix = ", ".join(f"{w:.2f} x {p}" for p, w in zip(args.checkpoints, weights))
    print(f"wrote {args.out} (sha256 {digest[:12]}): {mix}")
    return 0


def cmd_bench(args) -> int:
    from playground.eval import bench
    result = bench.from_args(args)
    print(result["table"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: v for k, v in result.items() if k != "table"}, f, indent=1)
        print(f"wrote {args.json}")
    return 0


def cmd_eval(args) -> int:
    from playground.eval.report import run
    report = run(args.checkpoint, args.out, quick=args.quick, idm=args.idm, sampler=overrides(args.set))
    print((__import__("pathlib").Path(args.out) / "report.md").read_text())
    print(f"wrote {args.out}/report.md, report.json and plots in {report['seconds']:.0f} s")
    return 0


def _given(args, *names: str) -> dict:
    """The options among `names` the user gave (not None): a recipe's defaults stay its own."""
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def cmd_train_idm(args) -> int:
    from playground.eval.idm_train import IDMTrainConfig, train
    result = train(args.out, IDMTrainConfig(**_given(args, "episodes", "steps")))
    held = result["heldout"]
    print(f"wrote {args.out}: held-out accuracy keyboard {held['keyboard']:.1%}, camera {held['camera']:.1%} "
          f"({held['steps']} steps), {result['minutes']} min")
    return 0


def cmd_train_depth(args) -> int:
    from playground.train.depth import DepthTrainConfig, train
    result = train(args.out, DepthTrainConfig(**_given(args, "episodes", "steps")))
    held = result["heldout"]
    print(f"wrote {args.out}: held-out median relative error {held['median_relative_error']:.1%} "
          f"within the fog ({held['frames']} frames), {result['minutes']} min")
    return 0


def cmd_replay(args) -> int:
    from playground.record import load
    rec = load(args.dir)
    print(f"{args.dir}: {len(rec.frames)} frames, {len(rec.actions)} actions, world {rec.manifest.get('world')}, "
          f"seed {rec.manifest.get('seed')}, {'complete' if rec.complete else 'INCOMPLETE'}")
    if args.verify:
        from playground.record.verify import drift, resimulate
        rows = drift(rec.frames, resimulate(rec, args.checkpoint))
        bad = [r for r in rows if r["max_abs"] > 0]
        if not bad:
            print(f"verify: all {len(rows)} frames match exactly")
            return 0
        print(f"verify: {len(bad)} of {len(rows)} frames differ")
        for r in bad[:50]:
            print(f"  frame {r['frame']:5d}: max abs diff {r['max_abs']:3d}, PSNR {r['psnr']:.2f} dB")
        return 1
    from playground.game.replay import replay_window
    replay_window(rec, scale=args.scale)
    return 0


def cmd_export(args) -> int:
    from playground.record import load
    from playground.record import export
    if args.minari:
        from playground.record.minari_export import to_minari
        dataset = to_minari([load(d) for d in [args.dir, *args.more]], args.minari)
        print(f"wrote Minari dataset {args.minari}: {dataset.total_episodes} episodes, {dataset.total_steps} steps")
        return 0
    if args.more:
        raise ConfigError("GIF, MP4 and PNG export one recording at a time; several folders go to --minari")
    if not (args.gif or args.mp4 or args.png):
        raise ConfigError("say what to export: --gif OUT.gif, --mp4 OUT.mp4, --png FOLDER or --minari DATASET_ID")
    for kind, out in (("gif", args.gif), ("mp4", args.mp4)):
        if out and Path(out).suffix.lower() != f".{kind}":
            raise ConfigError(f"--{kind} writes a .{kind} file: name it so (got {out})")
    rec = load(args.dir)
    frames = rec.frames[args.start:args.end]
    if not len(frames):
        end = "the end" if args.end is None else f"--end {args.end}"
        raise ConfigError(f"no frames from --start {args.start} to {end}: "
                          f"the recording has frames 0 to {len(rec.frames) - 1}")
    for kind, out in (("gif", args.gif), ("mp4", args.mp4), ("png", args.png)):
        if out:
            path = getattr(export, f"to_{kind}")(frames, out, scale=args.scale) if kind == "png" else \
                getattr(export, f"to_{kind}")(frames, out, fps=args.fps, scale=args.scale)
            print(f"wrote {path}")
    return 0


def _add_play(sub) -> None:
    play = sub.add_parser("play", help="play a world in a window (or --headless)")
    add_world_args(play)
    play.add_argument("--scale", type=COUNT, default=8, help="window pixels per frame pixel (default 8)")
    play.add_argument("--tick-rate", type=positive, default=20.0, help="ticks per second (default 20)")
    play.add_argument("--keymap", default=None, help="keymap YAML for the window (default assets/keymap.yaml)")
    play.add_argument("--headless", action="store_true", help="no window: scripted actions, print a summary")
    play.add_argument("--ticks", type=COUNT, default=None, help="stop after this many ticks")
    play.add_argument("--policy", default="explore", choices=POLICY_NAMES, metavar="POLICY",
                      help=f"headless actions: {', '.join(POLICY_NAMES)} (default explore)")
    play.add_argument("--show-help", action="store_true", help="start with the F1 help overlay open")
    play.add_argument("--record", default=None, metavar="DIR", help="record the session from the first tick into DIR")
    play.set_defaults(fn=cmd_play)


def _add_eval(sub) -> None:
    ev = sub.add_parser("eval", help="action accuracy (IDM), loop closure, free play, the papers' tables, throughput")
    ev.add_argument("--checkpoint", default=None, help="dream checkpoint (default: the shipped one)")
    ev.add_argument("--out", required=True, help="folder for report.md, report.json and plots")
    ev.add_argument("--quick", action="store_true", help="a few minutes on a CPU (fewer rollouts)")
    ev.add_argument("--idm", default=None, help="inverse-dynamics model (default: checkpoints/idm.safetensors)")
    ev.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="change a sampler setting for every dream measured, e.g. memory_sure_level=60 "
                         "(repeatable; recorded in the report; throughput keeps the checkpoint's settings)")
    ev.set_defaults(fn=cmd_eval)


def _add_train_idm(sub) -> None:
    ti = sub.add_parser("train-idm", help="train the inverse-dynamics model that eval measures action accuracy with")
    ti.add_argument("--out", required=True, help="the .safetensors file to write")
    ti.add_argument("--episodes", type=at_least(10), default=None,
                    help="voxel-world episodes of 160 ticks (default: the shipped IDM's recipe, IDMTrainConfig)")
    ti.add_argument("--steps", type=COUNT, default=None,
                    help="training steps of 128 frame pairs (default: the shipped IDM's recipe)")
    ti.set_defaults(fn=cmd_train_idm)


def _add_train_depth(sub) -> None:
    td = sub.add_parser("train-depth", help="train the depth network the dream's world memory lifts frames with")
    td.add_argument("--out", required=True, help="the .safetensors file to write")
    td.add_argument("--episodes", type=at_least(10), default=None,
                    help="exploring voxel-world episodes (default: the shipped network's recipe, DepthTrainConfig)")
    td.add_argument("--steps", type=COUNT, default=None, help="training steps (default: the shipped network's recipe)")
    td.set_defaults(fn=cmd_train_depth)


def _add_replay(sub) -> None:
    rp = sub.add_parser("replay", help="play a recording back, or --verify it by re-simulation")
    rp.add_argument("dir", help="recording folder")
    rp.add_argument("--verify", action="store_true",
                    help="re-simulate from seed and actions; exit 0 only if every frame matches")
    rp.add_argument("--checkpoint", default=None, help="the dream checkpoint, if it has moved")
    rp.add_argument("--scale", type=COUNT, default=8)
    rp.set_defaults(fn=cmd_replay)


def _add_export(sub) -> None:
    ex = sub.add_parser("export", help="export a recording to GIF, MP4 or PNG frames, or recordings to Minari")
    ex.add_argument("dir", help="recording folder")
    ex.add_argument("more", nargs="*", help="more recording folders (--minari only: one episode each)")
    ex.add_argument("--minari", default=None, metavar="DATASET_ID",
                    help="write a Minari dataset, e.g. playground/voxel-walks-v0 (needs minari[hdf5])")
    ex.add_argument("--gif", default=None, metavar="OUT.gif", help="write an animated GIF")
    ex.add_argument("--mp4", default=None, metavar="OUT.mp4", help="write an H.264 video (needs the video extra)")
    ex.add_argument("--png", default=None, metavar="FOLDER", help="write one PNG per frame into FOLDER")
    ex.add_argument("--fps", type=positive, default=20, help="frames per second of the GIF or MP4 (default 20)")
    ex.add_argument("--scale", type=COUNT, default=4, help="pixels per frame pixel (default 4)")
    ex.add_argument("--start", type=NATURAL, default=0, help="first recorded frame to export (default 0)")
    ex.add_argument("--end", type=NATURAL, default=None, help="stop before this frame (default: to the end)")
    ex.set_defaults(fn=cmd_export)


def _add_datagen(sub) -> None:
    dg = sub.add_parser("datagen", help="generate a training dataset from the voxel world")
    dg.add_argument("--out", required=True, help="dataset folder (resumes if it exists)")
    dg.add_argument("--episodes", type=COUNT, default=512)
    dg.add_argument("--ticks", type=at_least(2), default=128, help="frames per episode")
    dg.add_argument("--shard-size", type=COUNT, default=16, help="episodes per shard file")
    dg.add_argument("--seed", type=NATURAL, default=0, help="first world seed")
    dg.add_argument("--revisit-fraction", type=float, default=0.3,
                    help="share of episodes that look away and come back (default 0.3)")
    dg.add_argument("--steady-fraction", type=float, default=0.0,
                    help="share of episodes of exact held actions: still, straight walks, steady turns "
                         "(default 0; the rest explore)")
    dg.add_argument("--stroll-fraction", type=float, default=0.0,
                    help="share of episodes of long walks on plain W that hop only when blocked (default 0)")
    dg.add_argument("--from-recordings", nargs="+", default=None, metavar="DIR",
                    help="instead: cut voxel-world recordings (playground play --record) into episodes")
    dg.add_argument("--width", type=COUNT, default=64)
    dg.add_argument("--height", type=COUNT, default=64)
    dg.add_argument("--fov", type=positive, default=FOV_DEGREES)
    dg.set_defaults(fn=cmd_datagen)


def _add_train(sub) -> None:
    tr = sub.add_parser("train", help="train the autoencoder (ae), then the DiT (dit)")
    tr.add_argument("what", choices=["ae", "dit"], help="what to train")
    tr.add_argument("--ae", default=None, help="autoencoder checkpoint (for `train dit`)")
    tr.add_argument("--config", default=None, help="preset name or YAML file (default: ae / dit-tiny)")
    tr.add_argument("--data", required=True, nargs="+", metavar="DIR",
                    help="dataset folder(s) from `playground datagen`; the DiT may train on several "
                         "(episodes of the same length), each sampled in proportion to its episodes")
    tr.add_argument("--out", required=True, help="run folder (resumes if it holds state.pt)")
    tr.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a config value, e.g. --set train.steps=100")
    tr.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    tr.add_argument("--export-only", default=None, metavar="PATH",
                    help="dit: write the EMA weights of the run's last state to PATH and exit")
    tr.set_defaults(fn=cmd_train)


def _add_average(sub) -> None:
    av = sub.add_parser("average", help="average the weights of fine-tunes of one model (a model soup)")
    av.add_argument("checkpoints", nargs="+", metavar="CHECKPOINT",
                    help="two or more checkpoints with the same models and configs")
    av.add_argument("--weights", nargs="+", type=float, default=None, metavar="W",
                    help="one positive weight per checkpoint, scaled to sum to 1 (default: equal)")
    av.add_argument("--out", required=True, help="the averaged checkpoint to write")
    av.set_defaults(fn=cmd_average)


def _add_bench(sub) -> None:
    be = sub.add_parser("bench", help="measure the dream (ticks/s, ms per stage, latency) or the voxel renderer")
    be.add_argument("--world", choices=["dream", "voxel"], default="dream")
    be.add_argument("--checkpoint", default=None, help="dream checkpoint (default: the shipped one)")
    be.add_argument("--presets", nargs="+", default=None, choices=list(NAMED_SCHEDULES), metavar="PRESET",
                    help=f"dream presets: {' '.join(NAMED_SCHEDULES)} (default: all)")
    be.add_argument("--device", default="cpu", help="torch device for the dream or --preset (cpu, cuda)")
    be.add_argument("--threads", type=COUNT, default=None, help="torch threads (default: torch's)")
    be.add_argument("--compare-kernels", action="store_true",
                    help="instead: ticks/s with the Triton kernels vs the PyTorch path (GPU)")
    be.add_argument("--preset", default=None, help="instead: a model preset with random weights, e.g. oasis-500m "
                    "(real size on a GPU; reduced on the CPU)")
    be.add_argument("--vector", type=NATURAL, default=0, metavar="N",
                    help="instead: step time of the batched WorldModel-v0 vector env with N envs vs 1")
    be.add_argument("--guidance", type=float, default=None, metavar="W",
                    help="--vector: action guidance weight (default: the checkpoint's recommendation)")
    be.add_argument("--memory-ticks", type=NATURAL, default=0,
                    help="instead: run this many dream ticks and report resident memory growth")
    be.add_argument("--no-world-memory", dest="world_memory", action="store_false",
                    help="dream and --memory-ticks: with the world memory off (on by default: its ms per tick is "
                         "reported)")
    be.add_argument("--seeds", type=COUNT, default=None, help="voxel: worlds to average over (default 4)")
    be.add_argument("--ticks", type=COUNT, default=None,
                    help="ticks per measurement (voxel 300, dream and --vector 150, --preset 10)")
    be.add_argument("--width", type=COUNT, default=None, help="voxel: frame width (default 64)")
    be.add_argument("--height", type=COUNT, default=None, help="voxel: frame height (default 64)")
    be.add_argument("--json", default=None, help="also write the results to this JSON file")
    be.set_defaults(fn=cmd_bench)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="playground", description="Interactive world-model game client.")
    p.add_argument("--version", action="version", version=f"playground {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="say more (debug messages)")
    p.add_argument("-q", "--quiet", action="store_true", help="say only warnings and errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add_play(sub)
    _add_eval(sub)
    _add_train_idm(sub)
    _add_train_depth(sub)
    _add_replay(sub)
    _add_export(sub)
    _add_datagen(sub)
    _add_train(sub)
    _add_average(sub)
    _add_bench(sub)
    for command in sub.choices.values():
        command.set_defaults(parser=command)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:   # said by the command's own parser, so its usage line is the one shown
        getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    if not getattr(args, "fn", None):
        parser.print_help()
        return 0
    from playground.errors import USER_ERRORS
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    try:
        return args.fn(args)
    except (*USER_ERRORS, OSError) as e:   # OSError: a path that cannot be read or written
        if os.environ.get("PLAYGROUND_DEBUG"):
            raise
        print(f"playground {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
