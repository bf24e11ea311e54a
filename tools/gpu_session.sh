#!/usr/bin/env bash
# A GPU machine's work in one call: fresh data of the voxel world made on all cores, a DiT
# fine-tune of the shipped model on the GPU (the recipe of its GPU fine-tune, see
# checkpoints/README.md), the result given the shipped file's sampler settings, and action
# following on the 1,664 held-out comparisons the README reports (the report's 16 seeds
# and the extra seeds at offsets 300-491), on the CPU cores, as `playground eval` and
# tools/follow_more.py measure it. Not yet run on a GPU: at the defaults, about 8 minutes on
# one H200 with 16 cores by estimate (datagen at 0.8 s an episode per core, measured on a
# 2-core Xeon; training at the 7.8 steps/s of the earlier H200 fine-tune; following 16 seeds
# per core at 5 s a seed); BASELINE=1 adds about 1.5 minutes. Run it with timeout_s 600.
#
#   OUT=DIR [STEPS=2000] [BASELINE=1] tools/gpu_session.sh
#
# Writes to OUT: model.safetensors (ship it only if the full `playground eval` agrees),
# following.json (rate, wins, comparisons and by-script rates per checkpoint), train_log.jsonl,
# train.log and session.log (this script's output).
# BASELINE=1 measures the shipped file on the same machine too (the CPU's arithmetic can
# differ from another machine's by a few comparisons). On a machine without gymnasium (the
# H200 image has the rest), carry its wheels in a git-ignored .whl; they go to /tmp/site:
#   echo /.whl/ >> .git/info/exclude; python3 -m pip download --no-deps --only-binary=:all: \
#       --python-version 3.12 --implementation cp -d .whl gymnasium==1.4.0 farama-notifications==0.0.6
# World seeds: SEED_BASE (940000) + 1000 i for process i, all under the evaluation's
# 1,000,000 and unused by earlier data (500000-930383; gpu_render.sh starts at 960000).
set -euo pipefail
OUT=${OUT:-out/gpu-session}
DEVICE=${DEVICE:-cuda}
PROCS=${PROCS:-16}            # datagen processes (half explore/revisit, a quarter steady, a quarter stroll)
EPISODES=${EPISODES:-128}     # per datagen process (16 x 128: 2,048 episodes, 262,144 frames)
STEPS=${STEPS:-2000}
BATCH=${BATCH:-64}
LR=${LR:-0.0003}
SEED_BASE=${SEED_BASE:-940000}
FOLLOW_SEEDS=${FOLLOW_SEEDS:-16}   # per following job; 13 jobs
DATA=${DATA:-data/gs}
RUN=${RUN:-runs/gs}
mkdir -p "$OUT"
exec > >(tee "$OUT/session.log") 2>&1

source "$(dirname "$0")/gpu_common.sh"

log "datagen: $PROCS processes x $EPISODES episodes from world seed $SEED_BASE"
for ((i = 0; i < PROCS; i++)); do
    case $((i % 4)) in
        0|1) extra=() ;;
        2) extra=(--revisit-fraction 0 --steady-fraction 1) ;;
        3) extra=(--revisit-fraction 0 --stroll-fraction 1) ;;
    esac
    pg datagen --out "$DATA/d$i" --episodes "$EPISODES" --ticks 128 --seed $((SEED_BASE + i * 1000)) \
        "${extra[@]}" > "$OUT/datagen_$i.log" 2>&1 &
    pids+=($!)
done
wait_all "datagen (its log is in $OUT/datagen_*.log)"
rm -f "$OUT"/datagen_*.log

log "train: $STEPS steps, batch $BATCH, peak lr $LR, on $DEVICE"
if ! pg train dit --data "$DATA"/d* --ae checkpoints/tiny.safetensors --out "$RUN" --device "$DEVICE" \
    --set init_from=checkpoints/tiny.safetensors --set train.batch_size="$BATCH" --set train.steps="$STEPS" \
    --set train.lr="$LR" --set levels.max_context_level=250 --set transition_prob=0.5 --set dream_prob=0.5 \
    --set dream_frames=6 --set dream_guided=true --set levels.focus_levels=[999,500] --set levels.focus_prob=0.7 \
    --set levels.frame=0.6 --set levels.independent=0.15 --set levels.progressive=0.25 \
    --set sampler.context_label=160 --set sampler.action_guidance=2 --set sampler.guidance_on=keys \
    > "$OUT/train.log" 2>&1; then
    tr '\r' '\n' < "$OUT/train.log" | tail -30
    exit 1
fi
tr '\r' '\n' < "$OUT/train.log" | grep -v '^$' | tail -2
cp "$RUN/log.jsonl" "$OUT/train_log.jsonl"
python3 tools/recommend.py "$RUN/model.safetensors" "$OUT/model.safetensors" \
    context_label=160 action_guidance=4 guidance_on=keys

checkpoints=("$OUT/model.safetensors")
[[ "${BASELINE:-0}" == 1 ]] && checkpoints+=(checkpoints/tiny.safetensors)
log "following: ${#checkpoints[@]} checkpoint(s), 13 jobs of $FOLLOW_SEEDS seeds each"
for c in "${!checkpoints[@]}"; do
    for o in 100 $(seq 300 16 476); do
        python3 tools/follow_more.py "${checkpoints[$c]}" "$OUT/f_${c}_$o.json" --seeds "$FOLLOW_SEEDS" --offset "$o" \
            > "$OUT/follow_${c}_$o.log" 2>&1 &
        pids+=($!)
    done
done
wait_all "following (its log is in $OUT/follow_*.log)"
rm -f "$OUT"/follow_*.log
python3 - "$OUT" "${checkpoints[@]}" <<'EOF'
import glob, json, os, sys
out, names = sys.argv[1], sys.argv[2:]
summary = {}
for c, name in enumerate(names):
    wins = total = 0
    scripts = {}
    for path in sorted(glob.glob(f"{out}/f_{c}_*.json")):
        r = json.load(open(path))
        wins += round(r["rate"] * r["comparisons"])
        total += r["comparisons"]
        for script, rate in r["by_script"].items():
            w, n = scripts.get(script, (0, 0))
            scripts[script] = (w + rate * r["comparisons"] / 4, n + r["comparisons"] / 4)
        os.remove(path)
    summary[name] = {"wins": wins, "comparisons": total, "rate": wins / max(1, total),
                     "by_script": {s: w / n for s, (w, n) in scripts.items()}}
    print(f"{name}: {wins} of {total} ({wins / max(1, total):.1%});",
          ", ".join(f"{s} {w / n:.1%}" for s, (w, n) in scripts.items()))
json.dump(summary, open(f"{out}/following.json", "w"), indent=1)
EOF
log "done"
