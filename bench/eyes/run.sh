#!/usr/bin/env bash
# Benchmarks `omnify eyes run` on a synthetic data set of 1,000,000 customers
# (about 9 million orders): generates the CSV once, then runs the whole
# pipeline under /usr/bin/time -v and prints wall time and peak RSS.
# Budget: 60 s wall and 4 GiB peak RSS on a 2-core machine.
#
# usage: bench/eyes/run.sh [customers] [workdir]
set -euo pipefail

customers="${1:-1000000}"
work="${2:-${TMPDIR:-/tmp}/omnify-eyes-bench}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$work"

cd "$root"
go build -o "$work/omnify" ./cmd/omnify
go build -o "$work/gen" ./bench/eyes/gen

data="$work/transactions-$customers.csv"
if [[ ! -s "$data" || ! -s "$data.meta" ]]; then
	"$work/gen" -customers "$customers" -seed 1 -out "$data" 2>"$data.meta"
fi
cat "$data.meta"
as_of="$(awk '{print $NF}' "$data.meta")" # the last order date
echo "data: $data ($(du -hL "$data" | cut -f1)), as-of $as_of"

/usr/bin/time -v "$work/omnify" eyes run --transactions "$data" --as-of "$as_of" --out "$work/out" --seed 1 \
	>"$work/run.log" 2>"$work/time.log" || { cat "$work/run.log" "$work/time.log"; exit 1; }
cat "$work/run.log"
wall="$(grep 'Elapsed (wall clock)' "$work/time.log" | awk '{print $NF}')"
rss_kb="$(grep 'Maximum resident set size' "$work/time.log" | awk '{print $NF}')"
cpu="$(grep 'Percent of CPU' "$work/time.log" | awk '{print $NF}')"
echo "wall: $wall  max RSS: $((rss_kb / 1024)) MiB  CPU: $cpu  load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
