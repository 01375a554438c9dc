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

duration=${DURATION:-10s}
echo "load before: $(uptime)"
wrk -t2 -c50 -d"$duration" --latency -H "Authorization: Bearer $MEMORY_TOKEN" "$MEMORY_URL/v1/me" >"$work/memory.txt"
wrk -t2 -c50 -d"$duration" --latency -H "Authorization: Bearer $REDIS_TOKEN" "$REDIS_URL/v1/me" >"$work/redis.txt"
echo "load after: $(uptime)"

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }

mem=$(rps "$work/memory.txt")
red=$(rps "$work/redis.txt")
echo "GET /v1/me, in-process limiter: $mem req/s, p99 $(p99 "$work/memory.txt")"
echo "GET /v1/me, Redis limiter     : $red req/s, p99 $(p99 "$work/redis.txt")"
awk -v r="$red" -v m="$mem" 'BEGIN {printf "Redis / in-process throughput: %.1f%% (goal >= 70%%)\n", 100 * r / m}'
for f in memory redis; do
	if [ -n "$(non2xx "$work/$f.txt")" ]; then
		echo "WARNING: $f run answered non-2xx: $(non2xx "$work/$f.txt")" >&2
	fi
done
