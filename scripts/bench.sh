#!/usr/bin/env bash
# Throughput of Tend's pages as ratios against /healthz on the same server, and the latency
# of a live signal beside a /healthz round trip, in one run: SQLite, and PostgreSQL too when
# TEND_BENCH_DATABASE_URL=postgres://… names an empty database (there the signal is also
# measured across two instances: sent through one, received on the other's stream).
#
# With TEND_BENCH_BASELINE=/path/to/an/older/tend, that binary is measured beside this build
# in the same run, path by path and round by round in turn, so both see the same machine;
# on PostgreSQL it needs an empty database of its own in TEND_BENCH_BASELINE_DATABASE_URL.
# Usage: scripts/bench.sh [rounds] [seconds-per-run]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
seconds=${2:-5}
[ -n "${TEND_BENCH_NO_BUILD:-}" ] || cargo build --release --quiet
top=$(mktemp -d)
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true; rm -rf "$top"' EXIT

binaries=("./target/release/tend")
names=("this build")
if [ -n "${TEND_BENCH_BASELINE:-}" ]; then
  binaries=("$TEND_BENCH_BASELINE" "./target/release/tend")
  names=("baseline" "this build")
fi

start_server() { # binary data-dir [database-url master-key-file]; sets $started to the URL
  local binary=$1 dir=$2 args=(serve --bind 127.0.0.1:0 --data "$2" --sign-in-per-minute 1000)
  mkdir -p "$dir"
  if [ -n "${3:-}" ]; then
    args+=(--database-url "$3" --master-key-file "$4")
  fi
  "$binary" "${args[@]}" >"$dir.out" 2>/dev/null &
  servers+=($!)
  for _ in $(seq 1 100); do [ -s "$dir.out" ] && break; sleep 0.1; done
  started=$(sed -n 's/^Tend is running at //p' "$dir.out")
}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# A member signed in through the form, and a locked couple with answers and a routine of two
# versions and an open proposal, on the server at $1. Sets $session, $circle, $token1, $token2.
populate() {
  local base=$1 jar="$2/cookies" me="bench$RANDOM" token partner invite
  api() { # method path token [body]
    curl -s -X "$1" "$base$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+--data "$4"}
  }
  token=$(curl -s -c "$jar" "$base/signup" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null "$base/signup" \
    --data-urlencode "username=$me" --data-urlencode "password=quiet tea after rain" \
    --data-urlencode "adult=yes" --data-urlencode "csrf=$token"
  session=$(awk '$6 == "tend_session" {print $7}' "$jar")
  [ -n "$session" ] || { echo "sign-up failed" >&2; exit 1; }
  token1=$(curl -s "$base/api/v1/tokens" -H 'Content-Type: application/json' \
    --data "{\"username\":\"$me\",\"password\":\"quiet tea after rain\"}" | json "['token']")
  partner=$(curl -s "$base/api/v1/members" -H 'Content-Type: application/json' \
    --data "{\"username\":\"partner$RANDOM$RANDOM\",\"password\":\"quiet tea after rain\",\"adult\":true}" | json "['username']")
  token2=$(curl -s "$base/api/v1/tokens" -H 'Content-Type: application/json' \
    --data "{\"username\":\"$partner\",\"password\":\"quiet tea after rain\"}" | json "['token']")
  local answers='{"variant":"after-sex","answers":[{"item":"cuddling","receive":"love","give":"glad"},{"item":"massage","receive":"like","give":"if-you-like"},{"item":"kissing","shared":"love"},{"item":"affirmations","receive":"maybe","give":"glad"}]}'
  api PUT /api/v1/profile/answers "$token1" "$answers" >/dev/null
  api PUT /api/v1/profile/answers "$token2" "$answers" >/dev/null
  circle=$(api POST /api/v1/circles "$token1" '{"name":"Bench"}' | json "['id']")
  invite=$(api POST "/api/v1/circles/$circle/invites" "$token1" | json "['token']")
  api POST "/api/v1/invites/$invite/accept" "$token2" >/dev/null
  api POST "/api/v1/circles/$circle/lock" "$token1" >/dev/null
  api POST "/api/v1/circles/$circle/lock" "$token2" >/dev/null
  # An agreed routine with two versions (the second changes a duration) and an open proposal.
  local steps='[{"item":"cuddling","minutes":10},{"item":"water-or-a-drink"},{"text":"Tea in bed","minutes":15}]'
  local body pid
  for body in "{\"steps\":$steps}" "{\"steps\":${steps/10/20}}"; do
    pid=$(api POST "/api/v1/circles/$circle/routine/proposals" "$token1" "$body" | json "['id']")
    api POST "/api/v1/circles/$circle/routine/proposals/$pid/accept" "$token2" >/dev/null
  done
  api POST "/api/v1/circles/$circle/routine/proposals" "$token1" "{\"steps\":$steps}" >/dev/null
  local path code
  for path in / /profile/answers/after-sex/closeness "/circles/$circle/common-ground" "/circles/$circle/routine"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: tend_session=$session" "$base$path")
    [ "$code" = 200 ] || { echo "$path answered $code, not 200" >&2; exit 1; }
  done
}

rps() { # base path [cookie]
  local header=()
  [ -n "${3:-}" ] && header=(-H "Cookie: tend_session=$3")
  wrk -t2 -c16 -d"${seconds}s" "${header[@]}" "$1$2" | awk '/Requests\/sec/ {print $2}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

measure() { # label [database-url] [baseline-database-url]
  local label=$1 urls=("${3:-}" "${2:-}") i path file
  [ ${#binaries[@]} -eq 1 ] && urls=("${2:-}")
  local bases=() sessions=() circles=() tokens1=() tokens2=()
  for i in "${!binaries[@]}"; do
    local work="$top/$label-$i"
    mkdir -p "$work"
    start_server "${binaries[$i]}" "$work/data" "${urls[$i]}" "$work/master.key"
    bases+=("$started")
    populate "$started" "$work"
    sessions+=("$session"); circles+=("$circle"); tokens1+=("$token1"); tokens2+=("$token2")
  done
  local paths=(healthz home signin step ground routine)
  for _ in $(seq 1 "$rounds"); do
    for path in "${paths[@]}"; do
      for i in "${!binaries[@]}"; do
        local b=${bases[$i]} s=${sessions[$i]} c=${circles[$i]} out="$top/$label-$i/$path"
        case $path in
          healthz) rps "$b" /healthz >>"$out" ;;
          home) rps "$b" / "$s" >>"$out" ;;
          signin) rps "$b" /signin >>"$out" ;;
          step) rps "$b" /profile/answers/after-sex/closeness "$s" >>"$out" ;;
          ground) rps "$b" "/circles/$c/common-ground" "$s" >>"$out" ;;
          routine) rps "$b" "/circles/$c/routine" "$s" >>"$out" ;;
        esac
      done
    done
  done
  for i in "${!binaries[@]}"; do
    local h m
    h=$(median <"$top/$label-$i/healthz")
    echo
    echo "backend: $label, ${names[$i]}, rounds: $rounds x ${seconds}s, wrk -t2 -c16 (median requests/s)"
    printf '%-28s %10s %8s\n' "path" "req/s" "ratio"
    printf '%-28s %10.0f %8s\n' "/healthz" "$h" "1.000"
    for path in home signin step ground routine; do
      m=$(median <"$top/$label-$i/$path")
      case $path in
        home) file="/ (signed in)" ;;
        signin) file="/signin (visitor)" ;;
        step) file="profile step (closeness)" ;;
        ground) file="common ground (2 members)" ;;
        routine) file="routine (2 versions)" ;;
      esac
      printf '%-28s %10.0f %8s\n' "$file" "$m" "$(ratio "$m" "$h")"
    done
    # A planned session of the couple: signals during the plan are practice, stored and
    # delivered like any other.
    local sid ms hz times
    sid=$(curl -s -X POST "${bases[$i]}/api/v1/circles/${circles[$i]}/sessions" \
      -H "Authorization: Bearer ${tokens1[$i]}" -H 'Content-Type: application/json' \
      --data '{"start":"plan"}' | json "['id']")
    read -r ms hz times < <(python3 scripts/signal_latency.py "${bases[$i]}" "${tokens1[$i]}" "${tokens2[$i]}" "$sid" 200)
    printf '%-28s %10s ms, /healthz round trip %s ms (%sx)\n' "signal latency (median)" "$ms" "$hz" "$times"
    if [ -n "${urls[$i]}" ]; then
      # A second instance on the same database and master key, as behind a load balancer.
      start_server "${binaries[$i]}" "$top/$label-$i/second" "${urls[$i]}" "$top/$label-$i/master.key"
      read -r ms hz times < <(python3 scripts/signal_latency.py "${bases[$i]}" "${tokens1[$i]}" "${tokens2[$i]}" "$sid" 200 "$started")
      printf '%-28s %10s ms, /healthz round trip %s ms (%sx)\n' "signal, across 2 instances" "$ms" "$hz" "$times"
    fi
  done
}

measure SQLite
if [ -n "${TEND_BENCH_DATABASE_URL:-}" ]; then
  measure PostgreSQL "$TEND_BENCH_DATABASE_URL" "${TEND_BENCH_BASELINE_DATABASE_URL:-}"
fi
