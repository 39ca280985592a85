#!/usr/bin/env bash
# Runs the docs/performance.md scenarios against one memcached -t 1 on a free loopback port, each
# scenario REPS times, Memstore and memcaslap back to back in the same run (--compare-memcaslap).
# Before every run it waits (up to 60 s) until the machine is idle, because the 2 cores are shared.
# usage: bench/measure.sh [REPS] [DURATION_SECONDS]
# MEMCACHED=/path/to/memcached selects the server binary (default: memcached on PATH). A run whose
# server died (e.g. killed by someone else on a shared machine) aborts the script.
# PIN=1 pins memcached to CPU 1 and the client (load runner and the memcaslap it starts) to CPU 0.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}; duration=${2:-5}
dotnet build bench/Memstore.Load -c Release -v q -nologo >/dev/null
load="dotnet bench/Memstore.Load/bin/Release/net10.0/Memstore.Load.dll"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
user=(); [ "$(id -u)" = 0 ] && user=(-u root)
server_pin=(); client_pin=()
[ "${PIN:-0}" = 1 ] && { server_pin=(taskset -c 1); client_pin=(taskset -c 0); }
"${server_pin[@]}" "${MEMCACHED:-memcached}" "${user[@]}" -p "$port" -l 127.0.0.1 -U 0 -t 1 -m 256 & mc=$!
trap 'kill $mc 2>/dev/null || true' EXIT
sleep 0.5
idle() { # percent of CPU time idle over 0.5 s
  read -r _ a b c d e f g _ < /proc/stat; sleep 0.5; read -r _ A B C D E F G _ < /proc/stat
  echo $(( 100 * (D - d) / ((A+B+C+D+E+F+G) - (a+b+c+d+e+f+g)) ))
}
wait_idle() { for _ in $(seq 120); do [ "$(idle)" -ge 90 ] && return; done; echo "warning: machine not idle" >&2; }
echo "memcached pid=$mc port=$port reps=$reps duration=${duration}s pin=${PIN:-0}"
for rep in $(seq "$reps"); do
  for scenario in "--concurrency 64" "--concurrency 1" "--concurrency 16 --multiget 50 --get-ratio 1.0"; do
    wait_idle
    echo "## rep=$rep $scenario"
    "${client_pin[@]}" $load --servers "127.0.0.1:$port" $scenario --duration "$duration" --compare-memcaslap 2>&1 | grep -E '^(memcaslap_ops|ops_per_sec|memcaslap_summary|error 1)'
    kill -0 "$mc" 2>/dev/null || { echo "memcached (pid $mc) died during the run; results above are void" >&2; exit 1; }
  done
done
