#!/usr/bin/env bash
# API benchmark: GET /v1/me through the full stack against a bare net/http
# handler, with wrk at 50 connections, plus sequential login latency.
# Goals: full ≥ 50% of bare throughput, full p99 < 5 ms, login p50 ≤ 150 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
bin="$work/apibench"
go build -o "$bin" ./bench/api/server
"$bin" -full 127.0.0.1:0 -bare 127.0.0.1:0 ${CPUPROFILE:+-cpuprofile "$CPUPROFILE"} >"$work/info" 2>"$work/server.log" &
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
wrk -t2 -c50 -d"$duration" --latency -H "Authorization: Bearer $TOKEN" "$FULL/v1/me" >"$work/full.txt"
wrk -t2 -c50 -d"$duration" --latency "$BARE/" >"$work/bare.txt"
# The middleware and huma alone, without authentication or the store.
wrk -t2 -c50 -d"$duration" --latency "$FULL/health" >"$work/health.txt"

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }

full_rps=$(rps "$work/full.txt")
bare_rps=$(rps "$work/bare.txt")
echo "GET /v1/me full stack : $full_rps req/s, p99 $(p99 "$work/full.txt")"
echo "bare net/http handler : $bare_rps req/s, p99 $(p99 "$work/bare.txt")"
echo "GET /health full stack: $(rps "$work/health.txt") req/s, p99 $(p99 "$work/health.txt") (no auth, no store)"
awk -v f="$full_rps" -v b="$bare_rps" 'BEGIN {printf "full / bare throughput: %.1f%%\n", 100 * f / b}'
echo "login (argon2id default params, 50 sequential): p50 ${LOGIN_P50_MS} ms, p99 ${LOGIN_P99_MS} ms"
if [ -n "$(non2xx "$work/full.txt")" ]; then
	echo "WARNING: full stack answered non-2xx: $(non2xx "$work/full.txt")" >&2
fi
