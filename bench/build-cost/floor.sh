#!/usr/bin/env bash
# The floor under bench/build-cost/measure.sh's figures: how much of what the compiler reports for
# Memstore.Generators and Memstore.Analyzers any generator or analyzer with the same inputs would cost.
# Writes the generated project (generate.py, STORES x 5 keyspaces), builds it once to get its own csc command line,
# then per rep runs that command line directly (a fresh csc each time, /reportanalyzer) three ways, in rotating order:
#   real    Memstore.Generators and Memstore.Analyzers, as the package ships them;
#   floor   both replaced by bench/build-cost/floor (same pipelines and registrations, no output, no key evaluation);
#   replay  the floor plus the real generator's 201 output files added back unchanged (the build then compiles).
# Prints each run and the medians. Then SPLITS processes of bench/build-cost/driver run, in one process over the same
# arguments, floor twice and then the real generator twice (each step a fresh compilation and driver), which splits the
# real generator's extra cost over the floor into first use (JIT, type loading: real's first step minus its second)
# and steady work (real's second step minus floor's second). See docs/performance.md, "The floor under the
# generator's figure".
# usage: bench/build-cost/floor.sh [STORES=50] [REPS=6] [SPLITS=5]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stores=${1:-50}; reps=${2:-6}; splits=${3:-5}
dir=$(mktemp -d /tmp/memstore-build-floor-XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
python3 "$here/generate.py" "$dir/project" "$stores" >/dev/null
dotnet build "$here/floor" -c Release -nologo -v q >/dev/null
dotnet build "$here/driver" -c Release -nologo -v q >/dev/null
floor_dll="$here/floor/bin/Release/netstandard2.0/Memstore.BuildCostFloor.dll"
cd "$dir/project"
dotnet build -c Release -nologo -v:d -p:UseSharedCompilation=false -p:EmitCompilerGeneratedFiles=true >"$dir/build.log" 2>&1
python3 - "$dir" "$floor_dll" <<'PY'
import glob, os, re, sys
dir, floor = sys.argv[1], sys.argv[2]
line = next(l for l in open(f"{dir}/build.log") if re.search(r"/csc(\.dll)? /noconfig", l))
csc, args = re.match(r"\s*(\S+/csc(?:\.dll)?) (.*)", line).groups()
args = re.sub(r"/out:\S+", f"/out:{dir}/out.dll", args)
args = re.sub(r"/refout:\S+", "", args).replace("/noconfig ", "") + " /reportanalyzer"
real = re.findall(r"/analyzer:(\S+/Memstore\.(?:Generators|Analyzers)\.dll)", args)
assert len(real) == 2, real
floor_args = args.replace(f"/analyzer:{real[0]}", f"/analyzer:{floor}").replace(f"/analyzer:{real[1]}", "")
generated = sorted(glob.glob(f"{dir}/project/obj/Release/*/generated/Memstore.Generators/*/*.g.cs"))
assert generated, "the real build wrote no generated files"
replay_args = floor_args + "".join(f" /additionalfile:{g}" for g in generated)
for name, text in (("real", args), ("floor", floor_args), ("replay", replay_args)):
    open(f"{dir}/{name}.rsp", "w").write(text)
open(f"{dir}/csc", "w").write(csc)
print(f"{len(generated)} generated files to replay; csc: {csc}")
PY
csc=$(cat "$dir/csc")
report() { # runs one csc; prints "generator_s analyzer_s": the lines of assembly $2 or $3 in the two report sections
  "$csc" "@$dir/$1.rsp" 2>&1 | awk -v one="$2" -v two="$3" '
    /^Total analyzer execution time/ {section = "a"} /^Total generator execution time/ {section = "g"}
    index($3, one ",") == 1 || index($3, two ",") == 1 {v[section] = $1}
    END {printf "%s %s\n", (v["g"] == "" ? "-" : v["g"]), (v["a"] == "" ? "-" : v["a"])}'
}
printf '%-4s %-7s %12s %12s\n' rep build generator_s analyzer_s
results="$dir/results"
order=(real floor replay)
for rep in $(seq "$reps"); do
  for k in 0 1 2; do
    build=${order[$(( (k + rep) % 3 ))]}
    if [ "$build" = real ]; then
      read -r g a < <(report real Memstore.Generators Memstore.Analyzers)
    else
      read -r g a < <(report "$build" Memstore.BuildCostFloor Memstore.BuildCostFloor)
    fi
    printf '%-4s %-7s %12s %12s\n' "$rep" "$build" "$g" "$a"
    echo "$build $g $a" >>"$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for build in ("real", "floor", "replay"):
    g = [float(r[1]) for r in rows if r[0] == build and r[1] != "-"]
    a = [float(r[2].replace("<", "")) for r in rows if r[0] == build and r[2] != "-"]
    print(f"{build:7} generator median {statistics.median(g):.3f} s ({min(g):.3f}-{max(g):.3f})"
          + (f", analyzers median {statistics.median(a):.3f} s ({min(a):.3f}-{max(a):.3f})" if a else ""))
PY
[ "$splits" -gt 0 ] || exit 0
driver="$here/driver/bin/Release/net10.0/Memstore.BuildCostDriver.dll"
echo "in one process, milliseconds of wall time per step (floor floor real real), $splits processes:"
for _ in $(seq "$splits"); do
  dotnet "$driver" "$dir/real.rsp" floor floor real real | awk '{printf "%s %s  ", $1, $2} END {print ""}'
done | tee "$dir/splits"
python3 - "$dir/splits" <<'PY'
import statistics, sys
runs = [[float(x) for x in line.split()[1::2]] for line in open(sys.argv[1]) if line.strip()]
med = lambda i: statistics.median(r[i] for r in runs)
first_use = statistics.median(r[2] - r[3] for r in runs)
steady = statistics.median(r[3] - r[1] for r in runs)
print(f"medians: floor cold {med(0):.0f}, floor warm {med(1):.0f}, real first {med(2):.0f}, real warm {med(3):.0f} ms; "
      f"real over floor: first use {first_use:.0f} ms, steady work {steady:.0f} ms")
PY
