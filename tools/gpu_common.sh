# Helpers the GPU recipes (gpu_session.sh, gpu_render.sh) source: gymnasium from carried
# wheels (.whl) where the machine lacks it, the CLI from the working tree, a timed log line,
# and waiting on background jobs.
if ! python3 -c "import gymnasium" 2>/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
pg() { python3 -c "import sys; from playground.cli import main; sys.exit(main())" "$@"; }
log() { echo "[$(date +%T)] $*"; }
pids=()
wait_all() {   # wait for the background jobs in pids; fail if any did
    local failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
    pids=()
    if ((failed)); then echo "a background job failed: $1" >&2; exit 1; fi
}
