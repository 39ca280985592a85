#!/usr/bin/env bash
# Before/after throughput of the load runner in one run: builds bench/Memstore.Load at BASE (a commit, in a
# detached worktree under /tmp) and at the working tree, starts one memcached -t 1 on a free loopback port, and
# for each workload runs old and new alternately (old, new, new, old, ... so neither side always goes first),
# REPS pairs of DURATION seconds after a 1 s warm-up each. Prints every run and, per workload, the median of the
# per-pair ratios new/old (throughput: above 1 is faster), of client CPU per request and of memcached's CPU per key
# it served (how well the client batches: fewer, larger reads and writes cost the server less), each with a 95 %
# interval.
# usage: bench/ab-load.sh BASE [REPS] [DURATION_SECONDS]
# MEMCACHED=/path/to/memcached selects the server binary (default: memcached on PATH); ONLY=NAME runs only the
# workloads whose name contains NAME (c1_get90, c64_get90, c1_set90, c64_set90, c16_multiget50). PIN=1 pins memcached
# to CPU 1 and both load runners to CPU 0, so the scheduler cannot move them onto one core mid-run (less spread).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/ab-load.sh BASE [REPS] [DURATION_SECONDS]}; reps=${2:-5}; duration=${3:-4}
source bench/ab-common.sh
ab_worktree "$base"
server_pin=(); client_pin=()
[ "${PIN:-0}" = 1 ] && { server_pin=(taskset -c 1); client_pin=(taskset -c 0); }
dotnet build "$old_tree/bench/Memstore.Load" -c Release -v q -nologo >/dev/null
dotnet build bench/Memstore.Load -c Release -v q -nologo >/dev/null
old="$old_tree/bench/Memstore.Load/bin/Release/net10.0/Memstore.Load.dll"
new="bench/Memstore.Load/bin/Release/net10.0/Memstore.Load.dll"
ab_memcached "${server_pin[@]}"
echo "base=$(git -C "$old_tree" rev-parse --short HEAD) new=$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo +changes) reps=$reps duration=${duration}s port=$port pin=${PIN:-0}"
server_usage() { # prints memcached's "cpu_seconds keys_served" so far (user + system time; gets + sets)
  python3 - "$port" <<'PY'
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) as s:
    s.sendall(b"stats\r\n"); data = b""
    while not data.endswith(b"END\r\n"):
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
stats = dict(line.split(" ", 2)[1:] for line in data.decode().splitlines() if line.startswith("STAT "))
print(float(stats["rusage_user"]) + float(stats["rusage_system"]), int(stats["cmd_get"]) + int(stats["cmd_set"]))
PY
}
run() { # prints "ops_per_sec cpu_us_per_request server_cpu_us_per_key" of one run (the server's figure includes the warm-up)
  local before after
  before=$(server_usage)
  "${client_pin[@]}" dotnet "$1" --servers "127.0.0.1:$port" $2 --warmup 1 --duration "$duration" 2>&1 \
    | awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); if (kv[1] == "ops_per_sec") ops = kv[2]; if (kv[1] == "cpu_us_per_request") cpu = kv[2]}} END {printf "%s %s ", ops + 0, cpu + 0}'
  after=$(server_usage)
  awk -v b="$before" -v a="$after" 'BEGIN {split(b, x, " "); split(a, y, " "); k = y[2] - x[2]; printf "%.3f\n", (k > 0 ? (y[1] - x[1]) * 1e6 / k : 0)}'
}
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
# A distribution-free 95 % interval for the median (order statistics, normal approximation of the binomial; needs 9+
# pairs): "lo-hi", or "n/a" for fewer pairs. A workload is shown within 3 % of the old code only when lo >= 0.97.
median_ci() { sort -g | awk '{v[NR]=$1} END {k = int((NR - 1.96 * sqrt(NR)) / 2); if (NR < 9 || k < 1) print "n/a"; else print v[k] "-" v[NR - k + 1]}'; }
for workload in "${ab_workloads[@]}"; do
  name=${workload%%|*}; args=${workload#*|}
  [[ "$name" == *"${ONLY:-}"* ]] || continue
  ratios=(); cpu_ratios=(); server_ratios=()
  for rep in $(seq "$reps"); do
    if (( rep % 2 )); then read -r o oc os <<<"$(run "$old" "$args")"; read -r n nc ns <<<"$(run "$new" "$args")"
    else read -r n nc ns <<<"$(run "$new" "$args")"; read -r o oc os <<<"$(run "$old" "$args")"; fi
    kill -0 "$mc" 2>/dev/null || { echo "memcached (pid $mc) died; results void" >&2; exit 1; }
    r=$(awk -v n="$n" -v o="$o" 'BEGIN {printf "%.3f", (o > 0 ? n / o : 0)}')
    rc=$(awk -v n="$nc" -v o="$oc" 'BEGIN {printf "%.3f", (o > 0 ? n / o : 0)}')
    rs=$(awk -v n="$ns" -v o="$os" 'BEGIN {printf "%.3f", (o > 0 ? n / o : 0)}')
    ratios+=("$r"); cpu_ratios+=("$rc"); server_ratios+=("$rs")
    echo "$name rep=$rep old=$o new=$n ratio=$r old_cpu_us=$oc new_cpu_us=$nc cpu_ratio=$rc" \
      "old_server_us=$os new_server_us=$ns server_ratio=$rs"
  done
  echo "$name median_ratio=$(printf '%s\n' "${ratios[@]}" | median) ci95=$(printf '%s\n' "${ratios[@]}" | median_ci)" \
    "median_cpu_ratio=$(printf '%s\n' "${cpu_ratios[@]}" | median) cpu_ci95=$(printf '%s\n' "${cpu_ratios[@]}" | median_ci)" \
    "median_server_ratio=$(printf '%s\n' "${server_ratios[@]}" | median) server_ci95=$(printf '%s\n' "${server_ratios[@]}" | median_ci)"
done
