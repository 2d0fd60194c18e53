#!/usr/bin/env bash
# Throughput of Tend's pages as ratios against /healthz on the same server, and the latency
# of a live signal beside a /healthz round trip, in one run: SQLite, and PostgreSQL too when
# TEND_BENCH_DATABASE_URL=postgres://… names an empty database (there the signal is also
# measured across two instances: sent through one, received on the other's stream).
# Usage: scripts/bench.sh [rounds] [seconds-per-run]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
seconds=${2:-5}
cargo build --release --quiet
top=$(mktemp -d)
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true; rm -rf "$top"' EXIT

start_server() { # data-dir [database-url]; sets $started to the base URL
  local dir=$1 args=(serve --bind 127.0.0.1:0 --data "$1" --sign-in-per-minute 1000)
  mkdir -p "$dir"
  if [ -n "${2:-}" ]; then
    args+=(--database-url "$2" --master-key-file "$top/pg-master.key")
  fi
  ./target/release/tend "${args[@]}" >"$dir.out" 2>/dev/null &
  servers+=($!)
  for _ in $(seq 1 100); do [ -s "$dir.out" ] && break; sleep 0.1; done
  started=$(sed -n 's/^Tend is running at //p' "$dir.out")
}

measure() { # label [database-url]
local label=$1 url=${2:-}
work="$top/$label"
mkdir -p "$work"
start_server "$work/data" "$url"; base=$started

# Sign up through the form, as a browser does, to get a session cookie.
jar="$work/cookies"
me="bench$RANDOM"
token=$(curl -s -c "$jar" "$base/signup" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null "$base/signup" \
  --data-urlencode "username=$me" --data-urlencode "password=quiet tea after rain" \
  --data-urlencode "adult=yes" --data-urlencode "csrf=$token"
session=$(awk '$6 == "tend_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "sign-up failed" >&2; exit 1; }

# A couple with answers, both locked, through the API: the signed-in member's common ground.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
api() { # method path token [body]
  curl -s -X "$1" "$base$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+--data "$4"}
}
token1=$(curl -s "$base/api/v1/tokens" -H 'Content-Type: application/json' \
  --data "{\"username\":\"$me\",\"password\":\"quiet tea after rain\"}" | json "['token']")
partner=$(curl -s "$base/api/v1/members" -H 'Content-Type: application/json' \
  --data "{\"username\":\"partner$RANDOM$RANDOM\",\"password\":\"quiet tea after rain\",\"adult\":true}" | json "['username']")
token2=$(curl -s "$base/api/v1/tokens" -H 'Content-Type: application/json' \
  --data "{\"username\":\"$partner\",\"password\":\"quiet tea after rain\"}" | json "['token']")
answers='{"variant":"after-sex","answers":[{"item":"cuddling","receive":"love","give":"glad"},{"item":"massage","receive":"like","give":"if-you-like"},{"item":"kissing","shared":"love"},{"item":"affirmations","receive":"maybe","give":"glad"}]}'
api PUT /api/v1/profile/answers "$token1" "$answers" >/dev/null
api PUT /api/v1/profile/answers "$token2" "$answers" >/dev/null
circle=$(api POST /api/v1/circles "$token1" '{"name":"Bench"}' | json "['id']")
invite=$(api POST "/api/v1/circles/$circle/invites" "$token1" | json "['token']")
api POST "/api/v1/invites/$invite/accept" "$token2" >/dev/null
api POST "/api/v1/circles/$circle/lock" "$token1" >/dev/null
api POST "/api/v1/circles/$circle/lock" "$token2" >/dev/null
# An agreed routine with two versions (the second changes a duration) and an open proposal.
agree() { # body
  local pid
  pid=$(api POST "/api/v1/circles/$circle/routine/proposals" "$token1" "$1" | json "['id']")
  api POST "/api/v1/circles/$circle/routine/proposals/$pid/accept" "$token2" >/dev/null
}
steps='[{"item":"cuddling","minutes":10},{"item":"water-or-a-drink"},{"text":"Tea in bed","minutes":15}]'
agree "{\"steps\":$steps}"
agree "{\"steps\":${steps/10/20}}"
api POST "/api/v1/circles/$circle/routine/proposals" "$token1" "{\"steps\":$steps}" >/dev/null
for path in / /profile/answers/after-sex/closeness "/circles/$circle/common-ground" "/circles/$circle/routine"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: tend_session=$session" "$base$path")
  [ "$code" = 200 ] || { echo "$path answered $code, not 200" >&2; exit 1; }
done

rps() { # path [cookie]
  local header=()
  [ -n "${2:-}" ] && header=(-H "Cookie: tend_session=$2")
  wrk -t2 -c16 -d"${seconds}s" "${header[@]}" "$base$1" | awk '/Requests\/sec/ {print $2}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: >"$work/health"; : >"$work/home"; : >"$work/signin"; : >"$work/step"; : >"$work/ground"
: >"$work/routine"
for _ in $(seq 1 "$rounds"); do
  rps /healthz >>"$work/health"
  rps / "$session" >>"$work/home"
  rps /signin >>"$work/signin"
  rps /profile/answers/after-sex/closeness "$session" >>"$work/step"
  rps "/circles/$circle/common-ground" "$session" >>"$work/ground"
  rps "/circles/$circle/routine" "$session" >>"$work/routine"
done
h=$(median <"$work/health"); m=$(median <"$work/home"); s=$(median <"$work/signin")
p=$(median <"$work/step"); g=$(median <"$work/ground"); r=$(median <"$work/routine")
echo
echo "backend: $label, rounds: $rounds x ${seconds}s, wrk -t2 -c16 (median requests/s)"
printf '%-28s %10s %8s\n' "path" "req/s" "ratio"
printf '%-28s %10.0f %8.2f\n' "/healthz" "$h" 1
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
printf '%-28s %10.0f %8.2f\n' "/ (signed in)" "$m" "$(ratio "$m" "$h")"
printf '%-28s %10.0f %8.2f\n' "/signin (visitor)" "$s" "$(ratio "$s" "$h")"
printf '%-28s %10.0f %8.2f\n' "profile step (closeness)" "$p" "$(ratio "$p" "$h")"
printf '%-28s %10.0f %8.2f\n' "common ground (2 members)" "$g" "$(ratio "$g" "$h")"
printf '%-28s %10.0f %8.2f\n' "routine (2 versions)" "$r" "$(ratio "$r" "$h")"

# A planned session of the couple: signals during the plan are practice, stored and
# delivered like any other.
sid=$(api POST "/api/v1/circles/$circle/sessions" "$token1" '{"start":"plan"}' | json "['id']")
read -r ms hz times < <(python3 scripts/signal_latency.py "$base" "$token1" "$token2" "$sid" 200)
printf '%-28s %10s ms, /healthz round trip %s ms (%sx)\n' "signal latency (median)" "$ms" "$hz" "$times"
if [ -n "$url" ]; then
  start_server "$work/second" "$url"; second=$started
  read -r ms hz times < <(python3 scripts/signal_latency.py "$base" "$token1" "$token2" "$sid" 200 "$second")
  printf '%-28s %10s ms, /healthz round trip %s ms (%sx)\n' "signal, across 2 instances" "$ms" "$hz" "$times"
fi
}

measure SQLite
if [ -n "${TEND_BENCH_DATABASE_URL:-}" ]; then
  measure PostgreSQL "$TEND_BENCH_DATABASE_URL"
fi
