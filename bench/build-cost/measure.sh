#!/usr/bin/env bash
# Build cost of the Memstore generator and analyzers on a generated project (bench/build-cost/generate.py:
# STORES stores x 5 keyspaces, one service class per store). After one warm-up build, each rep rebuilds only
# that project (--no-dependencies --no-incremental) with -p:ReportAnalyzer=true and prints, from the
# compiler's own report, the time of Memstore.Generators and Memstore.Analyzers next to the Csc task time
# (MSBuild's performance summary) of the same build, and ends with the median share over the reps.
# SHARED=1 builds through the compiler server (VBCSCompiler, the SDK's default unless UseSharedCompilation=false
# is set, as on CI machines that disable it): one warm-up rebuild first, so analyzers and generators are loaded
# and jitted as in an IDE or a developer's second build; the server this script started is stopped at the end.
# SHARED=cold also builds through the compiler server, but shuts every compiler server of this user down
# (dotnet build-server shutdown --vbcscompiler) before each rep, so each rep is the first build of a new server:
# a clean build after a reboot or after the server's idle timeout. Csc's time then includes starting the server.
# usage: [SHARED=1|cold] bench/build-cost/measure.sh [STORES] [REPS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stores=${1:-50}; reps=${2:-3}
dir=$(mktemp -d /tmp/memstore-build-cost-XXXXXX)
shared=(); before=""
if [ "${SHARED:-0}" != 0 ]; then
  shared=(-p:UseSharedCompilation=true)
  before=$(pgrep -u "$(id -u)" -f VBCSCompiler.dll || true)
fi
cleanup() {
  rm -rf "$dir"
  if [ "${SHARED:-0}" != 0 ]; then
    for pid in $(pgrep -u "$(id -u)" -f VBCSCompiler.dll || true); do
      grep -qx "$pid" <<<"$before" || kill "$pid" 2>/dev/null || true
    done
  fi
}
trap cleanup EXIT
python3 "$here/generate.py" "$dir" "$stores"
cd "$dir"
dotnet build -c Release -nologo -v q >/dev/null
[ "${SHARED:-0}" = 1 ] && dotnet build -c Release -nologo -v q --no-dependencies --no-incremental "${shared[@]}" >/dev/null
echo "shared=${SHARED:-0} stores=$stores keyspaces=$((stores * 5)) reps=$reps"
printf '%-4s %10s %10s %10s %8s\n' rep csc_s generator_s analyzer_s share
shares=()
for rep in $(seq "$reps"); do
  log="$dir/build-$rep.log"
  [ "${SHARED:-0}" = cold ] && dotnet build-server shutdown --vbcscompiler >/dev/null
  dotnet build -c Release -nologo --no-dependencies --no-incremental "${shared[@]}" -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary >"$log" 2>&1
  gen=$(awk '$3 ~ /^Memstore\.Generators,/ {print $1; exit}' "$log")
  ana=$(awk '$3 ~ /^Memstore\.Analyzers,/ {print $1; exit}' "$log")
  csc=$(awk '$3 == "Csc" && $2 == "ms" {print $1 / 1000; exit}' "$log")
  share=$(python3 -c "print(f'{100 * ($gen + $ana) / $csc:.1f}%')")
  printf '%-4s %10s %10s %10s %8s\n' "$rep" "$csc" "$gen" "$ana" "$share"
  shares+=("${share%\%}")
done
# One line to quote: the median share and how many reps were within the issue's 10 % bound.
python3 -c "import statistics, sys; s = [float(x) for x in sys.argv[1:]]; print(f'median {statistics.median(s):.1f}%, {sum(x <= 10 for x in s)} of {len(s)} reps <= 10%')" "${shares[@]}"
