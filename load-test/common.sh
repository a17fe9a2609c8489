# Shared helpers for hold-sessions.sh and soak.sh (sourced, not run). Everything on 127.0.0.1; every process
# started is recorded in PIDS and stopped by PID on exit. Needs ROOT set to the repository root.

SLUICE="$ROOT/sluice"
WORK="$(mktemp -d /tmp/sluice-load.XXXXXX)"
PIDS=()

log() { echo "$(basename "$0" .sh): $*" >&2; }
die() { echo "$(basename "$0" .sh): ERROR: $*" >&2; exit 1; }

stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [ "${KEEP:-0}" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'echo "$(basename "$0"): interrupted" >&2; exit 130' INT TERM
trap 'echo "$(basename "$0"): failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# shellcheck source=net.sh
. "$ROOT/load-test/net.sh"

# Raises the open-file limit of this shell (inherited by everything it starts) to at least $1 if it can.
raise_fd_limit() {
  local want="$1" cur hard
  cur=$(ulimit -n); hard=$(ulimit -Hn)
  [ "$cur" != unlimited ] && [ "$cur" -ge "$want" ] && return 0
  ulimit -n "$want" 2>/dev/null || ulimit -Hn "$want" 2>/dev/null && ulimit -n "$want" 2>/dev/null || \
    ulimit -n "$hard" 2>/dev/null || true
  cur=$(ulimit -n)
  if [ "$cur" != unlimited ] && [ "$cur" -lt "$want" ]; then
    log "WARNING: open-file limit is $cur (hard $hard), below the $want needed; raise it (ulimit -Hn, limits.conf)"
  fi
}

# The launcher rebuilds first when the sources changed (20-60 s), longer than start_sink waits for the port.
ensure_built() {
  [ -n "${SLUICE_BUILT:-}" ] && return 0
  "$SLUICE" load --help > /dev/null || die "./sluice load does not run"
  SLUICE_BUILT=1
}

# Starts a sink; sets SINK_PID and SINK_PORT. Extra sink options as arguments.
start_sink() {
  local out="$WORK/sink.out" i
  ensure_built
  "$SLUICE" sink --listen 127.0.0.1:0 "$@" > "$out" 2> "$WORK/sink.err" &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  for i in $(seq 1 300); do
    SINK_PORT=$(sed -n 's/^sink listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out" 2>/dev/null)
    [ -n "$SINK_PORT" ] && return 0
    kill -0 "$SINK_PID" 2>/dev/null || die "sink did not start: $(cat "$WORK/sink.err")"
    sleep 0.1
  done
  die "sink did not report its port"
}

# Starts the gateway from its own temp dir (relative default paths land there); sets GW_PID, GW_PORT.
# Extra --set options as arguments. Honours SLUICE_JAVA_OPTS (e.g. -Xmx512m).
start_gateway() {
  local dir="$WORK/gateway"
  ensure_built
  mkdir -p "$dir"
  GW_PORT=$(free_port)
  (cd "$dir" && exec "$SLUICE" start --set "smtp.port=$GW_PORT" --set "spool.dir=$dir/spool" \
      --set "pop3.enabled=false" "$@") > "$dir/gateway.log" 2>&1 &
  GW_PID=$!
  PIDS+=("$GW_PID")
  if ! wait_banner "$GW_PORT" "$GW_PID" 120; then
    log "the gateway did not start or does not answer SMTP on 127.0.0.1:$GW_PORT; its log ends with:"
    tail -20 "$dir/gateway.log" >&2 || true
    die "gateway not running"
  fi
}

JDK_BIN=""
jdk_bin() { [ -n "$JDK_BIN" ] || JDK_BIN="$("$SLUICE" java-home)/bin"; echo "$JDK_BIN"; }

# Java heap in use right after a full GC, in KiB: jcmd GC.run, then the used columns of jstat -gc.
heap_after_gc_kb() {
  local pid="$1" bin
  bin=$(jdk_bin)
  "$bin/jcmd" "$pid" GC.run > /dev/null 2>&1 || { echo -1; return 0; }
  "$bin/jstat" -gc "$pid" 2>/dev/null | awk '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    NR == 2 { printf "%.0f\n", $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"] }' || echo -1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }
# Anonymous resident memory only: RSS without file mappings (the spool's memory-mapped queue files count in RSS
# while they are being written, which looks like growth but is page cache).
rss_anon_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
