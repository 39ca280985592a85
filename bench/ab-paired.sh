#!/usr/bin/env bash
# Before/after in one process: builds bench/Memstore.Paired at BASE (copied into a detached worktree under /tmp, so
# the base needs nothing of it) and at the working tree, starts one memcached -t 1 on a free loopback port, and for
# each workload runs the new build's host, which loads both builds side by side and alternates them in slices of
# SLICE seconds, PAIRS pairs (PairedHost.cs). Separate processes of one build settle at rates up to ±30 % apart on
# this machine; here both builds share the process and the moment, so the interval narrows as pairs are added.
# usage: bench/ab-paired.sh BASE [PAIRS] [SLICE_SECONDS]
# ONLY=NAME runs only the workloads whose name contains NAME (c1_get90, c64_get90, c1_set90, c64_set90,
# c16_multiget50); MEMCACHED=/path/to/memcached selects the server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/ab-paired.sh BASE [PAIRS] [SLICE_SECONDS]}; pairs=${2:-100}; slice=${3:-0.5}
source bench/ab-common.sh
ab_worktree "$base"
rm -rf "$old_tree/bench/Memstore.Paired"
cp -r bench/Memstore.Paired "$old_tree/bench/Memstore.Paired"
rm -rf "$old_tree/bench/Memstore.Paired/bin" "$old_tree/bench/Memstore.Paired/obj"
dotnet build "$old_tree/bench/Memstore.Paired" -c Release -v q -nologo >/dev/null
dotnet build bench/Memstore.Paired -c Release -v q -nologo >/dev/null
old="$old_tree/bench/Memstore.Paired/bin/Release/net10.0"
new="bench/Memstore.Paired/bin/Release/net10.0"
ab_memcached
echo "base=$(git -C "$old_tree" rev-parse --short HEAD) new=$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo +changes) pairs=$pairs slice=${slice}s port=$port"
for workload in "${ab_workloads[@]}"; do
  name=${workload%%|*}; args=${workload#*|}
  [[ "$name" == *"${ONLY:-}"* ]] || continue
  # shellcheck disable=SC2086 # args is a list of options
  dotnet "$new/Memstore.Paired.dll" --old "$old" --new "$new" --server "127.0.0.1:$port" $args --pairs "$pairs" --slice "$slice" \
    | sed "s/^/$name /"
  kill -0 "$mc" 2>/dev/null || { echo "memcached (pid $mc) died; results void" >&2; exit 1; }
done
