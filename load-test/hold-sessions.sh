#!/usr/bin/env bash
# Memory per idle session: starts Sluice with a fixed heap, opens SESSIONS concurrent SMTP sessions (EHLO, then
# idle with an occasional NOOP) with ./sluice load --hold, and reports the gateway's heap after a full GC, RSS,
# threads and file descriptors before and while they are all open.
#
# usage: load-test/hold-sessions.sh
# environment: SESSIONS=10000 HEAP=512m HOLD_FOR=120s NOOP_INTERVAL=30s KEEP=1 (keep the work dir)
# The equivalent by hand (gateway already running on 127.0.0.1:2525 with
#   SLUICE_JAVA_OPTS=-Xmx512m ./sluice start --set smtp.max-connections-per-client=20000 --set smtp.max-connections=20000):
#   ulimit -n 30000; ./sluice load --target 127.0.0.1:2525 --hold 10000 --duration 120s
#   then, once it prints "HOLD READY": jcmd PID GC.run; jstat -gc PID; grep -E 'VmRSS|VmHWM' /proc/PID/status
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=common.sh
. "$ROOT/load-test/common.sh"

SESSIONS="${SESSIONS:-10000}"
HEAP="${HEAP:-512m}"
HOLD_FOR="${HOLD_FOR:-120s}"
NOOP_INTERVAL="${NOOP_INTERVAL:-30s}"

# Each session is one socket in the generator and one in the gateway (separate processes, separate limits).
raise_fd_limit $((SESSIONS + 2048))
read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
if [ $((hi - lo + 1)) -lt $((SESSIONS + 1000)) ]; then
  log "WARNING: ephemeral port range $lo-$hi has fewer than $((SESSIONS + 1000)) ports: connects may fail;"
  log "         widen it: sysctl -w net.ipv4.ip_local_port_range='1024 65000'"
fi
log "open-file limit $(ulimit -n); ephemeral ports $lo-$hi; heap -Xmx$HEAP; $SESSIONS sessions for $HOLD_FOR"

"$SLUICE" load --help > /dev/null || die "./sluice load does not run"
export SLUICE_JAVA_OPTS="-Xmx$HEAP ${SLUICE_JAVA_OPTS:-}"
# The per-client connection limit would otherwise stop us at its default: every session comes from 127.0.0.1.
start_gateway --set "smtp.max-connections=$((SESSIONS + 1000))" \
  --set "smtp.max-connections-per-client=$((SESSIONS + 1000))"
unset SLUICE_JAVA_OPTS
log "gateway PID $GW_PID on 127.0.0.1:$GW_PORT"

base_heap=$(heap_after_gc_kb "$GW_PID"); base_rss=$(rss_kb "$GW_PID")
base_thr=$(threads "$GW_PID"); base_fd=$(fd_count "$GW_PID")
log "idle gateway: heap after GC $(mb "$base_heap") MB, RSS $(mb "$base_rss") MB, threads $base_thr, fds $base_fd"

"$SLUICE" load --target "127.0.0.1:$GW_PORT" --hold "$SESSIONS" --duration "$HOLD_FOR" \
  --noop-interval "$NOOP_INTERVAL" > "$WORK/hold.out" 2> "$WORK/hold.err" &
LOAD_PID=$!
PIDS+=("$LOAD_PID")
for _ in $(seq 1 600); do
  grep -q '^HOLD READY' "$WORK/hold.out" 2>/dev/null && break
  kill -0 "$LOAD_PID" 2>/dev/null || break
  sleep 0.5
done
grep '^HOLD READY' "$WORK/hold.out" >&2 || die "the generator did not get all sessions going: $(tail -5 "$WORK/hold.err")"
sleep 2   # let the last EHLOs settle
open_now=$(tail -1 "$WORK/hold.err" | sed -n 's/.*open=\([0-9]*\).*/\1/p')
heap=$(heap_after_gc_kb "$GW_PID"); rss=$(rss_kb "$GW_PID"); hwm=$(hwm_kb "$GW_PID")
thr=$(threads "$GW_PID"); fds=$(fd_count "$GW_PID")
wait "$LOAD_PID" || true

echo
echo "Idle sessions held by the gateway (-Xmx$HEAP, $(nproc) CPUs):"
printf '%-26s %14s %14s\n' "" "idle gateway" "$SESSIONS sessions"
printf '%-26s %14s %14s\n' "heap after full GC (MB)" "$(mb "$base_heap")" "$(mb "$heap")"
printf '%-26s %14s %14s\n' "RSS (MB)" "$(mb "$base_rss")" "$(mb "$rss")"
printf '%-26s %14s %14s\n' "peak RSS VmHWM (MB)" "" "$(mb "$hwm")"
printf '%-26s %14s %14s\n' "threads (OS)" "$base_thr" "$thr"
printf '%-26s %14s %14s\n' "open file descriptors" "$base_fd" "$fds"
echo "generator saw ${open_now:-?} sessions open at the measurement; its summary:"
grep -E '^  hold:|^RESULT' "$WORK/hold.out" || true
awk -v h="$heap" -v b="$base_heap" -v r="$rss" -v br="$base_rss" -v n="$SESSIONS" 'BEGIN {
  printf "per session: heap %.1f KB, RSS %.1f KB\n", (h - b) / n, (r - br) / n }'
