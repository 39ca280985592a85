#!/bin/sh
# Regenerates the ring vectors in tests/Memstore.Tests/Cluster/Vectors/ from libmemcached itself.
# Needs gcc, libmemcached-dev (1.1.4 was used) and libssl-dev; no memcached server.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build="$here/build"
out="$here/../Memstore.Tests/Cluster/Vectors"
mkdir -p "$build" "$out"

gcc -O2 -Wall -Wextra -Werror -o "$build/ring_vectors" "$here/ring_vectors.c" -lmemcached
gcc -O2 -Wall -Wextra -Werror -o "$build/pre1010_reference" "$here/pre1010_reference.c" -lcrypto

for distribution in ketama ketama-weighted ketama-pre1010 modula; do
  "$build/ring_vectors" "$distribution" > "$build/$distribution.tsv"
done

# ketama-pre1010 comes from a behaviour combination of libmemcached 1.1.4; an independent
# implementation of OMcache's definition must agree with it on every key and config.
grep -v '^#' "$build/ketama-pre1010.tsv" > "$build/pre1010.libmemcached"
"$build/pre1010_reference" | grep -v '^#' > "$build/pre1010.reference"
if ! cmp -s "$build/pre1010.libmemcached" "$build/pre1010.reference"; then
  echo "ketama-pre1010: libmemcached and the reference implementation disagree" >&2
  exit 1
fi
echo "ketama-pre1010: libmemcached and the independent reference agree on every key"

for distribution in ketama ketama-weighted ketama-pre1010 modula; do
  gzip -n -9 -c "$build/$distribution.tsv" > "$out/$distribution.tsv.gz"
done
ls -l "$out"
