#!/usr/bin/env bash
# The render-input network (DiTConfig.render_input, configs/dit-tiny-render.yaml: its
# self-rollout and few-step batches included) on a GPU machine in one call: fresh
# voxel-world data made on all cores, the world memory's pictures of it made on all cores
# (python -m playground.train.renders, one process per folder), the fine-tune from the
# shipped file on the GPU, stopped by time so that the whole call ends within DEADLINE
# seconds (training gets what data and pictures left), then, with EVAL=1, the new file and
# the shipped one measured side by side on tuning seeds no report uses
# (tools/world_memory_levels.py: open-loop PSNR by step bucket and by script, and
# loop-closure trials), one CPU process each. EVAL=0 leaves the measures to a later run on
# the CPU (the same tool, or `playground eval`), so the GPU's minutes go to training. Run it
# with timeout_s 600 (DEADLINE 540 leaves a minute for the file's copy back). Ship the new
# file only if a full `playground eval` agrees.
#
#   OUT=DIR [STEPS=1500] [DEVICE=cuda] [DEADLINE=540] [EVAL=1] [RELEARN=0] [SETS="k=v ..."] tools/gpu_render.sh
#
# RELEARN=1 builds the pictures with the world memory's rules for the world's own frames
# (renders.relearn, docs/training.md); SETS are more `--set` overrides of the preset for
# training (for example SETS="fewstep.prob=0 renders.max_distance=28").
#
# A dry run at toy size on a CPU (tests/test_tools.py runs it):
#   OUT=DIR DEVICE=cpu PROCS=2 EPISODES=1 TICKS=16 STEPS=2 BATCH=2 EVAL_STEPS=2 EVAL_LOOPS=0 tools/gpu_render.sh
#
# Writes to OUT: model.safetensors, train_log.jsonl, train.log, session.log (this script's
# output) and, with EVAL=1, new.json and shipped.json (the tool's measures per source).
# On a machine without gymnasium (the H200 image has the rest), carry its wheels in a
# git-ignored .whl, as tools/gpu_session.sh says.
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
EVAL=${EVAL:-1}
DEADLINE=${DEADLINE:-540}     # seconds from the start by which training has stopped and the file is written
EVAL_SECONDS=${EVAL_SECONDS:-150}   # kept for the measures when EVAL=1
RELEARN=${RELEARN:-0}
SETS=${SETS:-}
DATA=${DATA:-data/gr}
RUN=${RUN:-runs/gr}
mkdir -p "$OUT"
exec > >(tee "$OUT/session.log") 2>&1

source "$(dirname "$0")/gpu_common.sh"
START=$SECONDS
# One thread per CPU job: PROCS of them share the cores (torch would start one per core each).
cpu_job() { OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$@"; }

log "datagen: $PROCS processes x $EPISODES episodes of $TICKS ticks from world seed $SEED_BASE"
for ((i = 0; i < PROCS; i++)); do
    extra=(--revisit-fraction 0.4)
    ((i % 4 == 3)) && extra=(--revisit-fraction 0 --stroll-fraction 1)
    cpu_job pg datagen --out "$DATA/d$i" --episodes "$EPISODES" --ticks "$TICKS" --seed $((SEED_BASE + i * 1000)) \
        "${extra[@]}" > "$OUT/datagen_$i.log" 2>&1 &
    pids+=($!)
done
wait_all "datagen (its log is in $OUT/datagen_*.log)"

log "the world memory's pictures: $PROCS processes (relearn: $RELEARN)"
picture_args=() train_sets=()
((RELEARN)) && picture_args=(--relearn) train_sets=(--set renders.relearn=true)
for kv in $SETS; do train_sets+=(--set "$kv"); done
for ((i = 0; i < PROCS; i++)); do
    cpu_job python3 -m playground.train.renders --data "$DATA/d$i" "${picture_args[@]}" > "$OUT/renders_$i.log" 2>&1 &
    pids+=($!)
done
wait_all "pictures (its log is in $OUT/renders_*.log)"
rm -f "$OUT"/datagen_*.log "$OUT"/renders_*.log

# Training stops by time (saving its state and exporting) with a margin for start-up, the
# encoding of the data, the export, and the measures when EVAL=1.
left=$((DEADLINE - (SECONDS - START) - 75 - (EVAL ? EVAL_SECONDS : 0)))
if ((left < 60)); then echo "only ${left}s left for training by DEADLINE=$DEADLINE: stopping" >&2; exit 1; fi
MINUTES=$(python3 -c "print(round($left / 60, 2))")
log "train: $STEPS steps or $MINUTES minutes, batch $BATCH, peak lr $LR, on $DEVICE"
if ! pg train dit --config dit-tiny-render --data "$DATA"/d* --ae checkpoints/tiny.safetensors --out "$RUN" \
    --device "$DEVICE" --set train.batch_size="$BATCH" --set train.steps="$STEPS" --set train.lr="$LR" \
    --set train.max_minutes="$MINUTES" --set train.sample_every=100000 "${train_sets[@]}" > "$OUT/train.log" 2>&1; then
    tr '\r' '\n' < "$OUT/train.log" | tail -30
    exit 1
fi
tr '\r' '\n' < "$OUT/train.log" | grep -v '^$' | tail -2
cp "$RUN/log.jsonl" "$OUT/train_log.jsonl"
cp "$RUN/model.safetensors" "$OUT/model.safetensors"
if ((!EVAL)); then
    log "done (EVAL=0: measure model.safetensors against checkpoints/tiny.safetensors on the CPU)"
    exit 0
fi

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
