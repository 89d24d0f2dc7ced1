#!/usr/bin/env bash
# tpreactor-bench, in one run, against one server reached directly and
# through HAProxy (deploy/haproxy.cfg, on free loopback ports) in front of
# one server and of two (127.0.0.2 and 127.0.0.3 standing in for two hosts).
# The servers run as the bench runs its own: --quiet, tpreactor's console
# logger. At the end, the CPU time each process used over the whole run (the
# bench's "server CPU" of a HAProxy target is HAProxy's). Everything it
# starts is stopped when it ends.
#
#   deploy/bench-haproxy.sh chat --clients 1000 --messages 20 --repeat 3
#   deploy/bench-haproxy.sh churn --connections 3000 --repeat 3
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
dir=$(mktemp -d)
declare -A pid
cleanup() {
    for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

freePort() {
    "$BIN/python" -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}

serve() {  # serve NAME ENDPOINT
    "$BIN/twistd" --pidfile= --logger=tpreactor.logs.console.observer -n tpreactor --quiet --listen "$2" \
        >"$dir/$1.log" 2>&1 &
    pid[$1]=$!
    until grep -qs "listening on\|escuchando en" "$dir/$1.log"; do sleep 0.1; done
}

front() {  # front NAME PORT SED-EXPRESSIONS...: HAProxy with deploy/haproxy.cfg
    local name=$1 port=$2
    shift 2
    sed -e "s#stats socket [^ ]*#stats socket $dir/$name.sock#" -e "s#bind 127.0.0.1:6667#bind 127.0.0.1:$port#" \
        "$@" deploy/haproxy.cfg >"$dir/$name.cfg"
    "$HAPROXY" -db -f "$dir/$name.cfg" >"$dir/$name.log" 2>&1 &
    pid[$name]=$!
}

ticks() {  # ticks NAME: user + system CPU of that process so far, in clock ticks
    awk '{ print $14 + $15 }' "/proc/${pid[$1]}/stat"
}

declare -A before
cpu() {  # cpu NAME: CPU seconds of that process since the bench began
    awk -v t="$(ticks "$1")" -v t0="${before[$1]}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (t - t0) / hz }'
}

one=$(freePort 127.0.0.2) a=$(freePort 127.0.0.2) b=$(freePort 127.0.0.3) direct=$(freePort 127.0.0.4)
serve one "haproxy:tcp:$one:interface=127.0.0.2"
serve a "haproxy:tcp:$a:interface=127.0.0.2"
serve b "haproxy:tcp:$b:interface=127.0.0.3"
serve direct "tcp:$direct:interface=127.0.0.4"
front1=$(freePort 127.0.0.1) front2=$(freePort 127.0.0.1)
front haproxy-1 "$front1" -e "s#127.0.0.2:6667#127.0.0.2:$one#" -e "/server b /d"
front haproxy-2 "$front2" -e "s#127.0.0.2:6667#127.0.0.2:$a#" -e "s#127.0.0.3:6667#127.0.0.3:$b#"
sleep 2  # HAProxy up, and its first health checks done
for name in "${!pid[@]}"; do before[$name]=$(ticks "$name"); done

"$BIN/tpreactor-bench" "$@" --modes '' --target "direct=127.0.0.4:$direct" \
    --target "haproxy-1=127.0.0.1:$front1" --target "haproxy-2=127.0.0.1:$front2" --baseline direct
echo "CPU seconds over the bench (every repeat and warm-up):" \
    "direct: server $(cpu direct);" \
    "haproxy-1: haproxy $(cpu haproxy-1), server $(cpu one);" \
    "haproxy-2: haproxy $(cpu haproxy-2), servers $(cpu a) + $(cpu b)"
