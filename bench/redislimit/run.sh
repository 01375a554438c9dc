#!/usr/bin/env bash
# Rate-limit benchmark: GET /v1/me through the full API with the in-process
# limiter and with the Redis limiter (OMNIFY_TEST_REDIS_URL), wrk at 50
# connections. Goal: Redis ≥ 70% of in-process throughput. Every request
# spends from two budgets (per IP, per organisation), so two Redis calls.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
: "${OMNIFY_TEST_REDIS_URL:?set OMNIFY_TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/0}"

work=$(mktemp -d)
bin="$work/redisbench"
go build -o "$bin" ./bench/redislimit/server
"$bin" -pipelines "${PIPELINES:-4}" >"$work/info" 2>"$work/server.log" &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
	grep -q '^READY=1' "$work/info" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
	sleep 0.1
done
# shellcheck disable=SC1091
. "$work/info"

# The machine is shared, so the two limiters take turns (ROUNDS times each)
# and the medians are compared.
duration=${DURATION:-5s}
rounds=${ROUNDS:-3}
echo "load before: $(uptime)"
for i in $(seq 1 "$rounds"); do
	wrk -t2 -c50 -d"$duration" --latency -H "Authorization: Bearer $MEMORY_TOKEN" "$MEMORY_URL/v1/me" >"$work/memory.$i.txt"
	wrk -t2 -c50 -d"$duration" --latency -H "Authorization: Bearer $REDIS_TOKEN" "$REDIS_URL/v1/me" >"$work/redis.$i.txt"
done
echo "load after: $(uptime)"

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

for f in memory redis; do
	all=$(for i in $(seq 1 "$rounds"); do rps "$work/$f.$i.txt"; done)
	echo "GET /v1/me, $f limiter: median $(echo "$all" | median) req/s of $(echo $all); p99 $(for i in $(seq 1 "$rounds"); do p99 "$work/$f.$i.txt"; done | tr '\n' ' ')"
	for i in $(seq 1 "$rounds"); do
		if [ -n "$(non2xx "$work/$f.$i.txt")" ]; then
			echo "WARNING: $f run $i answered non-2xx: $(non2xx "$work/$f.$i.txt")" >&2
		fi
	done
	eval "${f}_median=$(echo "$all" | median)"
done
# shellcheck disable=SC2154
awk -v r="$redis_median" -v m="$memory_median" 'BEGIN {printf "Redis / in-process throughput (medians): %.1f%% (goal >= 70%%)\n", 100 * r / m}'
