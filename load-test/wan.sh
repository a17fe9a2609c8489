#!/usr/bin/env bash
# Relay to a distant next hop: the sink holds each batch of replies for DELAY, as a server one round trip away
# would be seen, so the rate per outbound connection is set by round trips rather than CPU. The same load goes
# through the gateway twice: with delivery.chunking=false (DATA: the 354 must come back before the body, so at
# best one round trip per message, with the next message's commands pipelined behind each body) and with true
# (BDAT: each transaction whole in one write, the next ones sent before this one's replies are read, up to
# delivery.pipeline-depth in flight). Prints the
# rate at which mail arrived at the sink and its end-to-end latency. Loopback only, bounded by COUNT and a timeout.
#
# usage: load-test/wan.sh
# environment: DELAY=20ms COUNT=10000 CONNS=20 (delivery.connections-per-destination) SESSIONS=50 SIZE=5k
#              DURABILITY=fsync|os  TIMEOUT=300 (s per mode)  KEEP=1 (keep the work dir)
#              SLUICE_SET="--set key=value ..." (extra gateway settings for both runs, e.g. delivery.pipeline-depth=4)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=common.sh
. "$ROOT/load-test/common.sh"

DELAY="${DELAY:-20ms}"
COUNT="${COUNT:-10000}"
CONNS="${CONNS:-20}"
SESSIONS="${SESSIONS:-50}"
SIZE="${SIZE:-5k}"
DURABILITY="${DURABILITY:-fsync}"
TIMEOUT="${TIMEOUT:-300}"

raise_fd_limit 4096
"$SLUICE" load --help > /dev/null || die "./sluice load does not run"
log "$COUNT messages of $SIZE over $SESSIONS sessions; next hop $DELAY away; $CONNS connections to it"
printf '%-8s %10s %12s %14s %14s\n' chunking arrived "msgs/s" "e2e p50 ms" "e2e p99 ms"
for chunking in false true; do
  start_sink --reply-delay "$DELAY" --expect "$COUNT" --duration "${TIMEOUT}s" --progress off
  start_gateway --set "delivery.relayhost=[127.0.0.1]:$SINK_PORT" --set "spool.durability=$DURABILITY" \
    --set "delivery.connections-per-destination=$CONNS" --set "delivery.chunking=$chunking" ${SLUICE_SET:-}
  "$SLUICE" load --target "127.0.0.1:$GW_PORT" --sessions "$SESSIONS" --count "$COUNT" --size "$SIZE" \
    --progress off > "$WORK/load-$chunking.out" 2> "$WORK/load-$chunking.err" \
    || die "the generator failed: $(tail -3 "$WORK/load-$chunking.err")"
  wait "$SINK_PID" 2>/dev/null || true # it exits once COUNT arrived, or after TIMEOUT
  result=$(grep '^RESULT sink' "$WORK/sink.out" || true)
  [ -n "$result" ] || die "the sink printed no result: $(tail -3 "$WORK/sink.err")"
  get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$result"; }
  printf '%-8s %10s %12s %14s %14s\n' "$chunking" "$(get messages)" "$(get msgs_per_s)" "$(get e2e_p50_ms)" \
    "$(get e2e_p99_ms)"
  stop_pid "$GW_PID"
  mv "$WORK/sink.out" "$WORK/sink-$chunking.out"
done
