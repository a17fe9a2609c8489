#!/usr/bin/env bash
# Soak: a steady open-model load through the gateway into a sink for DURATION (10 minutes by default), sampling
# the gateway's heap after a full GC, RSS, threads and open file descriptors every SAMPLE seconds, then saying
# whether they grew. A leak of one object or one descriptor per message shows up here long before production.
#
# usage: load-test/soak.sh
# environment: DURATION=600 (s) RATE=500 (msgs/s) SESSIONS=50 SIZE=5k SAMPLE=30 (s) HEAP=512m
#              DURABILITY=fsync|os  KEEP=1 (keep the work dir, with the generator's HdrHistogram log soak.hlog)
# RSS is shown but not judged: it includes the spool's memory-mapped queue files; RssAnon (RSS without file
# mappings) is judged instead.
# Growth verdict: the median of the last three samples against the median of the three after warm-up (the first
# sample is skipped); heap "grew" if up by more than 20% and 16 MB, fds if up by more than 20.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=common.sh
. "$ROOT/load-test/common.sh"

DURATION="${DURATION:-600}"
RATE="${RATE:-500}"
SESSIONS="${SESSIONS:-50}"
SIZE="${SIZE:-5k}"
SAMPLE="${SAMPLE:-30}"
HEAP="${HEAP:-512m}"
DURABILITY="${DURABILITY:-fsync}"
[ "$DURATION" -ge $((SAMPLE * 7)) ] || die "DURATION must be at least 7 samples ($((SAMPLE * 7)) s) for a verdict"

raise_fd_limit 4096
"$SLUICE" load --help > /dev/null || die "./sluice load does not run"
start_sink --duration "$((DURATION + 900))s"
export SLUICE_JAVA_OPTS="-Xmx$HEAP ${SLUICE_JAVA_OPTS:-}"
start_gateway --set "delivery.relayhost=[127.0.0.1]:$SINK_PORT" --set "spool.durability=$DURABILITY"
unset SLUICE_JAVA_OPTS
log "gateway PID $GW_PID on 127.0.0.1:$GW_PORT -> sink 127.0.0.1:$SINK_PORT; $RATE msgs/s of $SIZE for ${DURATION}s"

"$SLUICE" load --target "127.0.0.1:$GW_PORT" --sessions "$SESSIONS" --rate "$RATE" --duration "${DURATION}s" \
  --size "$SIZE" --hlog "$WORK/soak.hlog" > "$WORK/load.out" 2> "$WORK/load.err" &
LOAD_PID=$!
PIDS+=("$LOAD_PID")

HEAPS=(); FDS=(); RSSES=()
printf '%6s %13s %9s %12s %7s %5s %10s  %s\n' "t (s)" "heap/GC (MB)" "RSS (MB)" "RssAnon (MB)" threads fds \
  "sink total" "generator"
start=$(date +%s)
next=$((start + SAMPLE))
while kill -0 "$LOAD_PID" 2>/dev/null; do
  now=$(date +%s)
  if [ "$now" -lt "$next" ]; then sleep 1; continue; fi
  next=$((next + SAMPLE))
  h=$(heap_after_gc_kb "$GW_PID"); r=$(rss_anon_kb "$GW_PID"); f=$(fd_count "$GW_PID"); t=$(threads "$GW_PID")
  kill -0 "$GW_PID" 2>/dev/null || die "the gateway died during the soak; see $WORK/gateway/gateway.log (KEEP=1)"
  HEAPS+=("$h"); FDS+=("$f"); RSSES+=("$r")
  gen=$(tail -1 "$WORK/load.err" 2>/dev/null | sed 's/^load *[0-9]*s //' | cut -c1-90)
  printf '%6d %13s %9s %12s %7s %5s %10s  %s\n' $((now - start)) "$(mb "$h")" "$(mb "$(rss_kb "$GW_PID")")" \
    "$(mb "$r")" "$t" "$f" \
    "$(tail -1 "$WORK/sink.err" 2>/dev/null | sed -n 's/.*msgs\/s=[0-9]* *total=\([0-9]*\).*/\1/p')" "$gen"
done
wait "$LOAD_PID" || true
# Let the relay drain, then make the sink report.
sent=$(grep '^RESULT load' "$WORK/load.out" | tr ' ' '\n' | sed -n 's/^ok=//p')
sleep 5
stop_pid "$SINK_PID"

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
n=${#HEAPS[@]}
h_early=$(median3 "${HEAPS[1]}" "${HEAPS[2]}" "${HEAPS[3]}")
h_late=$(median3 "${HEAPS[$((n - 3))]}" "${HEAPS[$((n - 2))]}" "${HEAPS[$((n - 1))]}")
f_early=$(median3 "${FDS[1]}" "${FDS[2]}" "${FDS[3]}")
f_late=$(median3 "${FDS[$((n - 3))]}" "${FDS[$((n - 2))]}" "${FDS[$((n - 1))]}")
r_early=$(median3 "${RSSES[1]}" "${RSSES[2]}" "${RSSES[3]}")
r_late=$(median3 "${RSSES[$((n - 3))]}" "${RSSES[$((n - 2))]}" "${RSSES[$((n - 1))]}")

echo
grep -E '^  elapsed|^  errors|^  accept|^RESULT' "$WORK/load.out" || true
grep -E '^  messages|^  first|^  end-to-end' "$WORK/sink.out" || true
echo "sent ok=${sent:-?}, arrived at the sink=$(grep '^RESULT sink' "$WORK/sink.out" | tr ' ' '\n' | sed -n 's/^messages=//p')"
verdict() { # name early late pct abs
  awk -v n="$1" -v e="$2" -v l="$3" -v p="$4" -v a="$5" 'BEGIN {
    grew = (l - e > a) && (e <= 0 || (l - e) / e * 100 > p)
    printf "%-22s %10.1f -> %10.1f  %s\n", n, e, l, grew ? "GREW" : "stable" }'
}
echo "after warm-up -> end (medians of three samples):"
verdict "heap after GC (MB)" "$(mb "$h_early")" "$(mb "$h_late")" 20 16
verdict "RssAnon (MB)" "$(mb "$r_early")" "$(mb "$r_late")" 20 64
verdict "open fds" "$f_early" "$f_late" 0 20
