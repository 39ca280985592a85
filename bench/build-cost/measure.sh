#!/usr/bin/env bash
# Build cost of the Memstore generator and analyzers on a generated project (bench/build-cost/generate.py:
# STORES stores x 5 keyspaces, one service class per store). After one warm-up build, each rep rebuilds only
# that project (--no-dependencies --no-incremental) with -p:ReportAnalyzer=true and prints, from the
# compiler's own report, the time of Memstore.Generators and Memstore.Analyzers next to the Csc task time
# (MSBuild's performance summary) of the same build.
# usage: bench/build-cost/measure.sh [STORES] [REPS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stores=${1:-50}; reps=${2:-3}
dir=$(mktemp -d /tmp/memstore-build-cost-XXXXXX)
trap 'rm -rf "$dir"' EXIT
python3 "$here/generate.py" "$dir" "$stores"
cd "$dir"
dotnet build -c Release -nologo -v q >/dev/null
echo "stores=$stores keyspaces=$((stores * 5)) reps=$reps"
printf '%-4s %10s %10s %10s %8s\n' rep csc_s generator_s analyzer_s share
for rep in $(seq "$reps"); do
  log="$dir/build-$rep.log"
  dotnet build -c Release -nologo --no-dependencies --no-incremental -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary >"$log" 2>&1
  gen=$(awk '$3 ~ /^Memstore\.Generators,/ {print $1; exit}' "$log")
  ana=$(awk '$3 ~ /^Memstore\.Analyzers,/ {print $1; exit}' "$log")
  csc=$(awk '$3 == "Csc" && $2 == "ms" {print $1 / 1000; exit}' "$log")
  share=$(python3 -c "print(f'{100 * ($gen + $ana) / $csc:.1f}%')")
  printf '%-4s %10s %10s %10s %8s\n' "$rep" "$csc" "$gen" "$ana" "$share"
done
