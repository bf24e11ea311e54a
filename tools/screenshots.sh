#!/usr/bin/env bash
# The README's window pictures, taken from the real program: `playground play` in a
# virtual X server (Xvfb), driven by xdotool key presses, saved with the game's own F2
# screenshot key. Needs Xvfb and xdotool (apt install xvfb xdotool).
#   SEED=7 tools/screenshots.sh [OUT_DIR]      (default assets/screenshots)
set -euo pipefail
OUT=${1:-assets/screenshots}
PLAY=${PLAY:-playground play}
SEED=${SEED:-7}
SHOTS=$(mktemp -d)
Xvfb :97 -screen 0 1280x800x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null; rm -rf "$SHOTS"' EXIT
export DISPLAY=:97 SDL_AUDIODRIVER=dummy
sleep 2

hold() {  # hold keys for some seconds: hold SECONDS KEY...
    local t=$1; shift
    xdotool keydown "$@"; sleep "$t"; xdotool keyup "$@"
}
press() { xdotool key "$@"; sleep 1; }
window() {  # focus the game window once it is up
    for _ in $(seq 60); do
        if xdotool search --class playground >/dev/null 2>&1; then
            xdotool windowactivate --sync "$(xdotool search --class playground | head -1)" 2>/dev/null || true
            return
        fi
        sleep 1
    done
    echo "the game window did not open" >&2; exit 1
}
latest() { ls -t "$SHOTS"/screenshots/*.png | head -1; }   # F2 saves to ./screenshots

# The dream: walk a little, turn, screenshot; G for the ground truth beside it.
(cd "$SHOTS" && $PLAY --seed "$SEED" >/dev/null) &
GAME=$!
window; sleep 4
hold 2 w; hold 1 Right; hold 2 w
press F2; cp "$(latest)" "$OUT/dream-window.png"
press g; hold 2 w; sleep 1
press F2; cp "$(latest)" "$OUT/side-by-side.png"
press Escape; wait $GAME || true

# The voxel world itself, with the HUD.
(cd "$SHOTS" && $PLAY --world voxel --seed "$SEED" >/dev/null) &
GAME=$!
window; sleep 2
hold 2 w; hold 1 Right; hold 1 w
press F2; cp "$(latest)" "$OUT/voxel-window.png"
press Escape; wait $GAME || true

# A short dream session as a small GIF (2x: 128 pixels a side keeps the repository light).
$PLAY --headless --ticks 100 --seed "$SEED" --record "$SHOTS/session" >/dev/null
playground export "$SHOTS/session" --gif "$OUT/dream-session.gif" --scale 2 >/dev/null
echo "wrote $OUT/{dream-window,side-by-side,voxel-window}.png and $OUT/dream-session.gif"
