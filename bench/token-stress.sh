#!/usr/bin/env bash
# Token-moving MCAS stress, the long version of tests/Memstore.Tests/Mcas/TokenStressTests.cs:
# SERVERS memcached -M on free loopback ports (with one, every operation takes the single-server early
# decide, "Return at the last install" in docs/mcas.md 4.3), PROCS StressWorker processes x 4 loops moving
# TOKENS tokens among SLOTS slots for SECONDS, one worker SIGSTOPped for 1 s every 10 s, one SIGKILLed and
# restarted every 10 s. SERVER_STOPS=1 also SIGSTOPs the first memcached for 3 s (past the 2 s operation timeout)
# every 10 s: requests time out mid-operation and background releases fail, so owners finish operations
# themselves (docs/mcas.md 4.3); the workers then count timeouts instead of failing on them.
# usage: bench/token-stress.sh [SECONDS=30] [PROCS=3] [SLOTS=10] [TOKENS=5] [SERVERS=3] [SERVER_STOPS=0]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}; procs=${2:-3}; slots=${3:-10}; tokens=${4:-5}; server_count=${5:-3}; server_stops=${6:-0}
dotnet build tests/Memstore.StressWorker -c Release -v q -nologo >/dev/null
worker="dotnet tests/Memstore.StressWorker/bin/Release/net10.0/Memstore.StressWorker.dll"
user=(); [ "$(id -u)" = 0 ] && user=(-u root)
pids=(); servers=""
for _ in $(seq "$server_count"); do
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  memcached "${user[@]}" -p "$port" -l 127.0.0.1 -U 0 -M -m 64 & pids+=($!)
  servers="${servers:+$servers,}127.0.0.1:$port"
done
out=$(mktemp -d)
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$out"' EXIT
sleep 0.5
prefix="bench$RANDOM:"
$worker tokens-seed "$servers" "$prefix" "$slots" "$tokens"
start=$(date +%s); workers=()
tolerate=(); [ "$server_stops" = 1 ] && tolerate=(tolerate-transport)
for i in $(seq "$procs"); do $worker tokens "$servers" "$prefix" "$slots" "$tokens" "$seconds" "$i" 4 "${tolerate[@]}" >"$out/w$i" & workers+=($!); done
kills=0; stops=0; server_pauses=0; seed=100
while [ $(( $(date +%s) - start + 10 )) -lt "$seconds" ]; do
  sleep 4; kill -STOP "${workers[0]}"; sleep 1; kill -CONT "${workers[0]}"; stops=$((stops + 1))
  if [ "$server_stops" = 1 ]; then
    kill -STOP "${pids[0]}"; sleep 3; kill -CONT "${pids[0]}"; server_pauses=$((server_pauses + 1))
  fi
  sleep 4; victim=$(( procs - 1 )); kill -KILL "${workers[$victim]}"; wait "${workers[$victim]}" 2>/dev/null || true
  kills=$((kills + 1)); seed=$((seed + 1)); left=$(( seconds - ($(date +%s) - start) ))
  $worker tokens "$servers" "$prefix" "$slots" "$tokens" "$left" "$seed" 4 "${tolerate[@]}" >"$out/r$seed" & workers[$victim]=$!
done
wait "${workers[@]}"
cat "$out"/*
moves=$(cat "$out"/* | grep -o 'moves=[0-9]*' | cut -d= -f2 | paste -sd+ | bc)
checks=$(cat "$out"/* | grep -o 'checks=[0-9]*' | cut -d= -f2 | paste -sd+ | bc)
bad=$(cat "$out"/* | grep -cE '^(VIOLATION|CORRUPTION)' || true)
echo "servers=$server_count seconds=$seconds procs=$procs slots=$slots tokens=$tokens moves=$moves checks=$checks stops=$stops kills=$kills server_pauses=$server_pauses violations_or_corruption=$bad (killed workers' counts not included)"
$worker tokens-check "$servers" "$prefix" "$slots" "$tokens"
[ "$bad" = 0 ]
