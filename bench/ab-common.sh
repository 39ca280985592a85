# shellcheck shell=bash
# Sourced by bench/ab-load.sh and bench/ab-paired.sh: the base commit's worktree, one memcached -t 1 on a free
# loopback port, cleanup of both at exit, and the workloads both compare.

# ab_worktree BASE: a detached worktree of BASE under /tmp, in $old_tree; removed at exit.
ab_worktree() {
  old_tree=$(mktemp -d /tmp/memstore-ab-XXXXXX)
  git worktree add -q --detach "$old_tree" "$1"
  mc=""
  trap ab_cleanup EXIT
}

ab_cleanup() {
  [ -n "$mc" ] && kill "$mc" 2>/dev/null || true
  git worktree remove --force "$old_tree" 2>/dev/null || rm -rf "$old_tree"
}

# ab_memcached [COMMAND PREFIX...]: starts memcached (MEMCACHED=/path selects the binary) behind the optional prefix
# (taskset ...); sets $port and $mc.
ab_memcached() {
  local user=(); [ "$(id -u)" = 0 ] && user=(-u root)
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  "$@" "${MEMCACHED:-memcached}" "${user[@]}" -p "$port" -l 127.0.0.1 -U 0 -t 1 -m 256 & mc=$!
  sleep 0.5
}

# name|options of the load runner; ONLY=NAME selects the workloads whose name contains NAME.
ab_workloads=(
  "c1_get90|--concurrency 1"
  "c64_get90|--concurrency 64"
  "c1_set90|--concurrency 1 --get-ratio 0.1"
  "c64_set90|--concurrency 64 --get-ratio 0.1"
  "c16_multiget50|--concurrency 16 --multiget 50 --get-ratio 1.0"
)
