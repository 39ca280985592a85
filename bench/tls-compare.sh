#!/usr/bin/env bash
# TLS against plaintext, side by side in one run: one memcached -t 1 plain and one memcached -t 1 -Z (certificates
# made here with openssl, deleted afterwards), the load runner at concurrency 1 and 64 against each, alternating
# plain/TLS REPS times. Prints each run's figures and the TLS/plain throughput ratio of each pair.
# usage: bench/tls-compare.sh [REPS] [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-2}; duration=${2:-3}
dotnet build bench/Memstore.Load -c Release -v q -nologo >/dev/null
load="dotnet bench/Memstore.Load/bin/Release/net10.0/Memstore.Load.dll"
dir=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" \
  -days 1 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/server.key" -out "$dir/server.csr" \
  -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 1 \
  -extfile "$dir/ext" -out "$dir/server.pem" 2>/dev/null
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
user=(); [ "$(id -u)" = 0 ] && user=(-u root)
plain=$(free_port)
memcached "${user[@]}" -p "$plain" -l 127.0.0.1 -U 0 -t 1 -m 256 & pids+=($!)
tls=$(free_port)
memcached "${user[@]}" -p "$tls" -l 127.0.0.1 -U 0 -t 1 -m 256 -Z -o "ssl_chain_cert=$dir/server.pem,ssl_key=$dir/server.key" & pids+=($!)
sleep 0.5
# One run: its full output to standard error, "OPS CPU_US_PER_REQUEST" to standard output.
run() {
  local out; out=$($load "$@" --duration "$duration" --warmup 1); echo "$out" >&2
  echo "$(grep -o '^ops_per_sec=[0-9]*' <<<"$out" | cut -d= -f2) $(grep -o 'cpu_us_per_request=[0-9.]*' <<<"$out" | cut -d= -f2)"
}
echo "plain port=$plain tls port=$tls reps=$reps duration=${duration}s"
for rep in $(seq "$reps"); do
  for concurrency in 1 64; do
    read -r p pcpu < <(run --servers "127.0.0.1:$plain" --concurrency "$concurrency")
    read -r t tcpu < <(run --servers "127.0.0.1:$tls" --tls-ca "$dir/ca.pem" --concurrency "$concurrency")
    awk -v r="$rep" -v c="$concurrency" -v p="$p" -v t="$t" -v pc="$pcpu" -v tc="$tcpu" 'BEGIN {
      printf "## rep=%s concurrency=%s ops/s plain=%s tls=%s tls/plain=%.2f  client_cpu_us/request plain=%s tls=%s tls/plain=%.2f\n", r, c, p, t, t / p, pc, tc, tc / pc }'
  done
done
