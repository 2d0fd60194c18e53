#!/usr/bin/env bash
# Throughput of Tend's pages as ratios against /healthz on the same server, in one run.
# Usage: scripts/bench.sh [rounds] [seconds-per-run]   (needs wrk: apt-get install wrk)
# Set TEND_BENCH_DATABASE_URL=postgres://… to measure on PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
seconds=${2:-5}
cargo build --release --quiet
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
args=(serve --bind 127.0.0.1:0 --data "$work/data" --sign-in-per-minute 1000)
if [ -n "${TEND_BENCH_DATABASE_URL:-}" ]; then
  args+=(--database-url "$TEND_BENCH_DATABASE_URL" --master-key-file "$work/master.key")
fi
./target/release/tend "${args[@]}" >"$work/out" 2>/dev/null &
server=$!
for _ in $(seq 1 50); do [ -s "$work/out" ] && break; sleep 0.1; done
base=$(sed -n 's/^Tend is running at //p' "$work/out")

# Sign up through the form, as a browser does, to get a session cookie.
jar="$work/cookies"
token=$(curl -s -c "$jar" "$base/signup" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null "$base/signup" \
  --data-urlencode "username=bench$RANDOM" --data-urlencode "password=quiet tea after rain" \
  --data-urlencode "adult=yes" --data-urlencode "csrf=$token"
session=$(awk '$6 == "tend_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "sign-up failed" >&2; exit 1; }

rps() { # path [cookie]
  local header=()
  [ -n "${2:-}" ] && header=(-H "Cookie: tend_session=$2")
  wrk -t2 -c16 -d"${seconds}s" "${header[@]}" "$base$1" | awk '/Requests\/sec/ {print $2}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: >"$work/health"; : >"$work/home"; : >"$work/signin"
for _ in $(seq 1 "$rounds"); do
  rps /healthz >>"$work/health"
  rps / "$session" >>"$work/home"
  rps /signin >>"$work/signin"
done
h=$(median <"$work/health"); m=$(median <"$work/home"); s=$(median <"$work/signin")
backend=${TEND_BENCH_DATABASE_URL:+PostgreSQL}; backend=${backend:-SQLite}
echo "backend: $backend, rounds: $rounds x ${seconds}s, wrk -t2 -c16 (median requests/s)"
printf '%-28s %10s %8s\n' "path" "req/s" "ratio"
printf '%-28s %10.0f %8.2f\n' "/healthz" "$h" 1
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
printf '%-28s %10.0f %8.2f\n' "/ (signed in)" "$m" "$(ratio "$m" "$h")"
printf '%-28s %10.0f %8.2f\n' "/signin (visitor)" "$s" "$(ratio "$s" "$h")"
