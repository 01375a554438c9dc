#!/usr/bin/env bash
# Benchmarks ml/cluster against scikit-learn on identical inputs and prints a
# side-by-side table. Needs Debian's python3-sklearn. Run from anywhere:
#   bash bench/cluster/compare.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
go build -o "$work/bench" ./bench/cluster
"$work/bench" -mode gen -dir "$work"
echo "inputs in $work; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
go_json="$("$work/bench" -mode run -dir "$work")"
sk_json="$(/usr/bin/python3 "$here/bench_sklearn.py" "$work")"
/usr/bin/python3 "$here/report.py" "$work" "$go_json" "$sk_json"
