#!/usr/bin/env bash
# The exact recipe of checkpoints/tiny.safetensors, on 2 CPU cores (no GPU).
# Each `train` call resumes runs/<name>/state.pt; the DiT was trained in four runs whose
# cosine schedule was lengthened as time allowed (stop_after ends a run at the step it
# reached, keeping that run's schedule).
set -euo pipefail
DIT="playground train dit --data data/voxel64 --ae runs/ae/ae.safetensors --out runs/dit --set train.threads=2"
playground datagen --out data/voxel64 --episodes 1024 --ticks 128
playground train ae --data data/voxel64 --out runs/ae --set train.steps=5000 --set train.threads=2
$DIT --set train.steps=4500 --set train.stop_after=3185
$DIT --set train.steps=9000 --set train.stop_after=4386
$DIT --set train.steps=8200 --set train.stop_after=7372 --set levels.max_context_level=100
$DIT --set train.steps=13500 --set train.stop_after=12086 --set levels.max_context_level=100
$DIT --export-only runs/dit/model.safetensors --set levels.max_context_level=100
python -m playground.eval.tune --checkpoint runs/dit/model.safetensors --labels 120,160 --guidance 0,1 \
    --min-levels 0,501 --out out/tune.json
$DIT --export-only checkpoints/tiny.safetensors --set levels.max_context_level=100 \
    --set sampler.context_label=160 --set sampler.action_guidance=0
playground eval --out out/eval
playground bench --json out/bench_dream.json
