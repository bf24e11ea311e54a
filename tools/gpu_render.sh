#!/usr/bin/env bash
# The render-input network (DiTConfig.render_input, configs/dit-tiny-render.yaml) on a GPU
# machine in one call: fresh voxel-world data made on all cores, the world memory's
# pictures of it made on all cores (python -m playground.train.renders, one process per
# folder), the fine-tune from the shipped file on the GPU, then the new file and the
# shipped one measured side by side on tuning seeds no report uses
# (tools/world_memory_levels.py: open-loop PSNR by step bucket and by script, and
# loop-closure trials), one CPU process each. By estimate about 8.5 minutes on one H200
# with 16 cores at the defaults (datagen 0.8 s an episode per core, pictures about 2 s an
# episode per core, training near the 7.8 steps/s of the earlier H200 fine-tune); run it with
# timeout_s 600. Ship the new file only if a full `playground eval` agrees.
#
#   OUT=DIR [STEPS=1500] [DEVICE=cuda] tools/gpu_render.sh
#
# A dry run at toy size on a CPU (tests/test_tools.py runs it):
#   OUT=DIR DEVICE=cpu PROCS=2 EPISODES=1 TICKS=16 STEPS=2 BATCH=2 EVAL_STEPS=2 EVAL_LOOPS=0 tools/gpu_render.sh
#
# Writes to OUT: model.safetensors, train_log.jsonl, train.log, new.json and shipped.json
# (the tool's measures per source), session.log (this script's output).
# World seeds: SEED_BASE (960000) + 1000 i for process i, under the evaluation's 1,000,000
# and unused by earlier data (500000-930383; gpu_session.sh starts at 940000).
set -euo pipefail
OUT=${OUT:-out/gpu-render}
DEVICE=${DEVICE:-cuda}
PROCS=${PROCS:-16}            # datagen and picture processes (three quarters explore/revisit, a quarter stroll)
EPISODES=${EPISODES:-48}      # per process (16 x 48: 768 episodes of 128 ticks)
TICKS=${TICKS:-128}
STEPS=${STEPS:-1500}
BATCH=${BATCH:-64}
LR=${LR:-0.0003}
SEED_BASE=${SEED_BASE:-960000}
EVAL_STEPS=${EVAL_STEPS:-64}
EVAL_LOOPS=${EVAL_LOOPS:-1}
DATA=${DATA:-data/gr}
RUN=${RUN:-runs/gr}
mkdir -p "$OUT"
exec > >(tee "$OUT/session.log") 2>&1

export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
source "$(dirname "$0")/gpu_common.sh"

log "datagen: $PROCS processes x $EPISODES episodes of $TICKS ticks from world seed $SEED_BASE"
for ((i = 0; i < PROCS; i++)); do
    extra=(--revisit-fraction 0.4)
    ((i % 4 == 3)) && extra=(--revisit-fraction 0 --stroll-fraction 1)
    pg datagen --out "$DATA/d$i" --episodes "$EPISODES" --ticks "$TICKS" --seed $((SEED_BASE + i * 1000)) \
        "${extra[@]}" > "$OUT/datagen_$i.log" 2>&1 &
    pids+=($!)
done
wait_all "datagen (its log is in $OUT/datagen_*.log)"

log "the world memory's pictures: $PROCS processes"
for ((i = 0; i < PROCS; i++)); do
    python3 -m playground.train.renders --data "$DATA/d$i" > "$OUT/renders_$i.log" 2>&1 &
    pids+=($!)
done
wait_all "pictures (its log is in $OUT/renders_*.log)"
rm -f "$OUT"/datagen_*.log "$OUT"/renders_*.log

log "train: $STEPS steps, batch $BATCH, peak lr $LR, on $DEVICE"
if ! pg train dit --config dit-tiny-render --data "$DATA"/d* --ae checkpoints/tiny.safetensors --out "$RUN" \
    --device "$DEVICE" --set train.batch_size="$BATCH" --set train.steps="$STEPS" --set train.lr="$LR" \
    --set train.sample_every=100000 > "$OUT/train.log" 2>&1; then
    tr '\r' '\n' < "$OUT/train.log" | tail -30
    exit 1
fi
tr '\r' '\n' < "$OUT/train.log" | grep -v '^$' | tail -2
cp "$RUN/log.jsonl" "$OUT/train_log.jsonl"
cp "$RUN/model.safetensors" "$OUT/model.safetensors"

log "measured on tuning seeds: the new file and the shipped one, side by side"
for which in new shipped; do
    ckpt=$OUT/model.safetensors
    [[ $which == shipped ]] && ckpt=checkpoints/tiny.safetensors
    OMP_NUM_THREADS=1 python3 tools/world_memory_levels.py "$OUT/$which.json" --levels 500 --rollout-seeds 2 \
        --loops-per-bucket "$EVAL_LOOPS" --steps "$EVAL_STEPS" --checkpoint "$ckpt" > "$OUT/eval_$which.log" 2>&1 &
    pids+=($!)
done
wait_all "measures (its log is in $OUT/eval_*.log)"
for which in new shipped; do echo "$which:"; grep -v '^$' "$OUT/eval_$which.log" | tr '\r' '\n' | grep '^memory\|^network'; done
log "done"
