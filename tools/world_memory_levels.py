"""Choose the world memory's level (playground/dream/memory_warp.py) on tuning seeds no
report uses: PSNR per step bucket over open-loop rollouts of every eval script, and the
loop-closure revisits, for the network alone beside the memory at each level, with the
checkpoint's recommended settings; with --play, also the
IDM's action accuracy and a minute of free play (the report's headline measures).

    python tools/world_memory_levels.py OUT.json [--levels 60,250,400] [--poses actions,depth]
        [--rollout-seeds 4] [--loops-per-bucket 3] [--play] [--idm-seeds 4] [--play-seeds 2]
        [--no-network-alone] [--sure-levels off,60] [--loop-starts dream,world] [--checkpoint CKPT] [--steps 64]
        [--set memory_seen_here=0.25[,NAME=VALUE...] ...]

Rollouts start at world seed 1,000,000 (offset -500), loops at 1,000,200 (offset -300), free
play at 1,000,300 and the IDM's segments at 1,000,400: disjoint from the report's (1,000,500
and up), so each of --idm-seeds and --play-seeds is at most 100. --rollout-seeds 0 and
--loops-per-bucket 0 leave those measures out. Each --set adds the memory at each level and
tracker with those sampler settings changed (as `playground eval --set`, comma-separated)."""
import argparse
import json

from playground.config import ConfigError
from playground.dream.load import load_dream
from playground.eval import play_measures as PM
from playground.eval.report import FULL, eval_dream, sampler_change_groups
from playground.eval.rollouts import eval_seeds
from playground.eval.tune import TUNING_OFFSET


def dreams(models, levels: list[int], poses: list[str], network_alone: bool = True,
           sure_levels: tuple = (None,), changes: dict | None = None) -> dict:
    """The network alone, and the memory at each level with each tracker (memory_pose) and
    each level for a picture shown as it was seen (memory_sure_level, None: off); for each
    `changes` (name -> sampler settings changed), also the memory at each level and tracker
    with them."""
    memory = max(FULL["memory_sizes"])
    out = {"network alone": eval_dream(models, memory, world_memory=False)} if network_alone else {}
    variants = [("" if sure is None else f" sure {sure}", {"memory_sure_level": sure}) for sure in sure_levels]
    variants += [(f" {name}", change) for name, change in (changes or {}).items()]
    for level in levels:
        for pose in poses:
            for suffix, change in variants:
                name = f"memory {level}" + (f" ({pose})" if len(poses) > 1 else "") + suffix
                out[name] = eval_dream(models, memory, changes={"memory_level": level, "memory_pose": pose, **change})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="JSON: the measures per source")
    ap.add_argument("--levels", default="60,250,400", help="world memory levels")
    ap.add_argument("--poses", default="actions", help="world memory trackers (memory_pose), comma-separated")
    ap.add_argument("--rollout-seeds", type=int, default=4)
    ap.add_argument("--loops-per-bucket", type=int, default=3, help="0: no loop-closure trials")
    ap.add_argument("--steps", type=int, default=FULL["steps"], help="rollout length (as `playground eval`)")
    ap.add_argument("--play", action="store_true", help="also action accuracy (--idm-seeds) and free play (--play-seeds)")
    ap.add_argument("--idm-seeds", type=int, default=4, help="--play: worlds for action accuracy (at most 100)")
    ap.add_argument("--play-seeds", type=int, default=2, help="--play: worlds for free play (at most 100)")
    ap.add_argument("--no-network-alone", action="store_true", help="leave out the network without the memory")
    ap.add_argument("--sure-levels", default="", help="also each of these levels where the picture shows the "
                    "view as it was seen (memory_sure_level), comma-separated; 'off' for none")
    ap.add_argument("--loop-starts", default="dream", help="loops departing from a dreamed frame after a lead-in "
                    "('dream', as the report) and/or from the world's first frame ('world'), comma-separated")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="also the memory with these sampler settings changed, comma-separated (repeatable)")
    ap.add_argument("--checkpoint", default=None)
    a = ap.parse_args()
    if not (1 <= a.idm_seeds <= 100 and 1 <= a.play_seeds <= 100):
        ap.error("--idm-seeds and --play-seeds must be 1-100: more would reach the report's seeds")
    starts = a.loop_starts.split(",")
    if not set(starts) <= {"dream", "world"}:
        ap.error(f"--loop-starts takes dream and/or world, got {a.loop_starts!r}")
    try:
        changes = sampler_change_groups(a.set)
    except ConfigError as e:
        ap.error(str(e))
    sure = tuple(None if x == "off" else int(x) for x in a.sure_levels.split(",")) if a.sure_levels else (None,)
    sources = dreams(load_dream(a.checkpoint), [int(x) for x in a.levels.split(",")], a.poses.split(","),
                     network_alone=not a.no_network_alone, sure_levels=sure, changes=changes)
    rows = {name: {} for name in sources}
    if a.rollout_seeds:
        acc = PM.error_accumulation(sources, eval_seeds(a.rollout_seeds, TUNING_OFFSET), a.steps, FULL["scripts"])
        for name, row in rows.items():
            row["psnr"] = {k: round(v["psnr"], 2) for k, v in acc[name]["buckets"].items()}
            row["psnr_by_script"] = {k: round(v, 2) for k, v in acc[name]["by_script"].items()}
    for start in starts if a.loops_per_bucket else ():
        loops = PM.loop_closure(sources, eval_seeds(3 * a.loops_per_bucket, TUNING_OFFSET + 200), a.loops_per_bucket,
                                lead=start == "dream")
        for name, row in rows.items():
            row["loops" if start == "dream" else "loops from the world's frame"] = loops[name]
    if a.play:
        from playground.eval.idm import load_shipped
        acc_idm = PM.action_accuracy(load_shipped()[0], sources, eval_seeds(a.idm_seeds, TUNING_OFFSET + 400))
        play = PM.free_play(sources, eval_seeds(a.play_seeds, TUNING_OFFSET + 300))["summary"]
        for name, row in rows.items():
            row["idm"] = {kind: {head: acc_idm[kind][name][head]["accuracy"] for head in ("keyboard", "camera")}
                          for kind in ("scripted", "random")}
            row["free_play_last_10s"] = {k: v["last"] for k, v in play[name].items()}
    with open(a.out, "w") as f:
        json.dump(rows, f, indent=1, default=float)
    for name, row in rows.items():
        print(name, json.dumps(row, default=float))


if __name__ == "__main__":
    main()
