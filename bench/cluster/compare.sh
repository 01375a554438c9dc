#!/usr/bin/env bash
# Benchmarks ml/cluster against scikit-learn on identical inputs and prints a
# side-by-side table. Needs Debian's python3-sklearn. Run from anywhere:
#   bash bench/cluster/compare.sh          # ROUNDS=3 for more alternating rounds
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
go build -o "$work/bench" ./bench/cluster
"$work/bench" -mode gen -dir "$work"
echo "inputs in $work; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Alternate the two sides for a few rounds so that load from other work on
# the machine hits both alike; report.py keeps each side's best time.
rounds="${ROUNDS:-2}"
for _ in $(seq "$rounds"); do
	"$work/bench" -mode run -dir "$work" >>"$work/go.jsonl"
	/usr/bin/python3 "$here/bench_sklearn.py" "$work" >>"$work/sk.jsonl"
done
/usr/bin/python3 "$here/report.py" "$work" "$work/go.jsonl" "$work/sk.jsonl"
