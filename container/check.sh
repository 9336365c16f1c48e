#!/usr/bin/env bash
# Runs the image the way a platform does and times it: `migrate`, then `serve` on a free port with
# an SQLite database in a temporary directory mounted at /data, polls $READY_PATH until 200, asks
# the image's own probe (kipina-probe, its HEALTHCHECK), stops `serve` with SIGTERM, and starts
# `clock` (the same image with another command) for a few seconds. No platform is configured:
# `serve` then answers only its health routes.
#   container/check.sh [IMAGE]        (default kipina:latest; needs root and buildah)
# Containers run with `buildah run --isolation chroot`, on the host's network.
set -euo pipefail
image=${1:-kipina:latest}
READY_PATH=${READY_PATH:-/readyz}   # READY_PATH=/healthz for a bot from before /readyz
READY_WITHIN=${READY_WITHIN:-60}    # seconds

command -v buildah >/dev/null || { echo "$0 needs buildah: apt-get install -y buildah" >&2; exit 1; }
data=$(mktemp -d)
log=$(mktemp)
container=
runner=
pid=
cleanup() {
    [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
    [ -z "$runner" ] || { kill -KILL "$runner" 2>/dev/null; wait "$runner"; } 2>/dev/null || true
    [ -z "$container" ] || buildah rm "$container" >/dev/null 2>&1 || true
    rm -rf "$data" "$log"
}
trap cleanup EXIT
chown 10001:10001 "$data"
container=$(buildah from --pull-never "$image")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run() { buildah run --isolation chroot -v "$data:/data" -e DATABASE_URL=sqlite:////data/kipina.db -e PORT="$port" "$container" -- "$@"; }
now() { date +%s.%N; }
since() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$1" "$(now)"; }
status() { python3 - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as error:
    print(error.code)
except OSError:
    print(0)
PY
}
# The bot's own process under `buildah run` (which does not pass SIGTERM on, it kills).
bot_pid() {
    local pids=$1 children
    while [ -n "$pids" ]; do
        for pid in $pids; do
            if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "^/opt/kipina/bin/python -m bot $2"; then
                echo "$pid"; return 0; fi
        done
        children=
        for pid in $pids; do children="$children $(ps -o pid= --ppid "$pid" || true)"; done
        pids=$(echo $children)
    done
    return 1
}
# Starts `python -m bot $1` in the background, sets $runner (buildah run) and $pid (the bot).
start() {
    buildah run --isolation chroot -v "$data:/data" -e DATABASE_URL=sqlite:////data/kipina.db -e PORT="$port" \
        "$container" -- python -m bot "$@" >>"$log" 2>&1 &
    runner=$!
    pid=
    for _ in $(seq 100); do pid=$(bot_pid "$runner" "$1") && break; sleep 0.1; done
    [ -n "$pid" ] || { echo "FAIL: python -m bot $1 did not start" >&2; exit 1; }
}
# SIGTERM to the bot; it must exit with 0 within 10 s.
stop() {
    local t0 code=0
    t0=$(now)
    kill -TERM "$pid"
    for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "FAIL: $1 still running 12 s after SIGTERM" >&2; exit 1; }
    wait "$runner" || code=$?
    runner= pid=
    [ "$code" = 0 ] || { tail -20 "$log" >&2; echo "FAIL: $1 exited with $code after SIGTERM" >&2; exit 1; }
    echo "$1 stopped on SIGTERM in $(since "$t0") s"
}
echo "image $image: $(buildah images --format '{{.Size}}' "$image")"
user=$(run id -u)
[ "$user" = 10001 ] || { echo "FAIL: runs as uid $user, not 10001" >&2; exit 1; }
if run sh -c 'command -v gcc || command -v cc || command -v c++' >/dev/null 2>&1; then
    echo "FAIL: a compiler is in the image" >&2; exit 1; fi
echo "runs as uid 10001, no compiler"
# The scrubber as the image runs it: Voikko's Finnish analyses on, simplemma's tries built at build time
# (the uid cannot write them at run time), a town kept and an unknown name removed.
scrubbed=$(run python -c '
from bot.domain.reports import lexicon, scrub
assert lexicon.use_voikko(True), "Voikko is not in the image"
assert {p.name for p in lexicon.TRIES.iterdir()} >= {"fi.dic", "sv.dic", "en.dic"}, "no tries"
print(scrub.Scrubber([])("Kemijärvellä Virtaselta sain hyvän vinkin."))
') || { echo "FAIL: the scrubber does not run in the image" >&2; exit 1; }
[ "$scrubbed" = "Kemijärvellä [name] sain hyvän vinkin." ] || { echo "FAIL: the scrubber gave: $scrubbed" >&2; exit 1; }
echo "scrubber: Voikko and the dictionaries' tries in place"

t0=$(now)
run python -m bot migrate >>"$log" 2>&1 || { cat "$log" >&2; echo "FAIL: migrate" >&2; exit 1; }
echo "migrate: $(since "$t0") s"

t0=$(now)
start serve
code=0
deadline=$(python3 -c "import sys; print(float(sys.argv[1]) + $READY_WITHIN)" "$t0")
while :; do
    code=$(status "http://127.0.0.1:$port$READY_PATH")
    [ "$code" = 200 ] && break
    if ! kill -0 "$pid" 2>/dev/null || python3 -c 'import sys, time; sys.exit(time.time() < float(sys.argv[1]))' "$deadline"; then
        cat "$log" >&2; echo "FAIL: $READY_PATH answered $code, not 200, within $READY_WITHIN s" >&2; exit 1
    fi
    sleep 0.05
done
echo "serve: $READY_PATH 200 after $(since "$t0") s (from buildah run)"
run kipina-probe "$READY_PATH" || { echo "FAIL: the image's probe (kipina-probe $READY_PATH)" >&2; exit 1; }
echo "kipina-probe $READY_PATH: ok"
stop serve

: >"$log"
t0=$(now)
start clock
for _ in $(seq 300); do  # until it leads (a SIGTERM before then would find no handler yet)
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "FAIL: clock exited" >&2; exit 1; }
    grep -q 'this clock is the leader' "$log" && break
    sleep 0.1
done
grep -q 'this clock is the leader' "$log" || { cat "$log" >&2; echo "FAIL: clock did not lead within 30 s" >&2; exit 1; }
echo "clock: leading after $(since "$t0") s"
stop clock
echo "image check passed"
