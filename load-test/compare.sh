#!/usr/bin/env bash
# Side-by-side relay benchmark on loopback, one run, same load for every row:
#   1. ceiling       generator -> sink                       (what the generator and sink can do at all)
#   2. postfix       generator -> private Postfix -> sink    (Debian's Postfix, fsync-durable queue)
#   3. sluice-fsync  generator -> ./sluice start -> sink     (spool.durability=fsync)
#   4. sluice-os     generator -> ./sluice start -> sink     (spool.durability=os)
# Every phase first sends WARMUP messages (./sluice load --warmup) that no figure includes: the JVM's C2 compiler
# threads take ~26% of the gateway's CPU in its first ~10 s, which is warm-up, not steady state (JMH warms up for
# the same reason). Throughput is measured at the sink: measured messages arrived / (first measured message's
# intended injection -> last arrival). Accept latency (MAIL -> 250 after the dot) comes from the generator. Server
# CPU is utime+stime from /proc from the end of the warm-up (the generator's 'load: warmup done' line) to the end
# (Postfix: master + every child, exited children via the master's cutime/cstime; the ceiling: the sink's own
# cpu_s, from its first measured message); memory is VmHWM of the server process over the whole run, warm-up
# included (Postfix: peak of the summed PSS of its processes, sampled every 0.5 s, so shared pages count once).
# The sink offers CHUNKING, so Sluice relays into it with BDAT (Postfix's client never sends BDAT, and the ceiling's
# generator uses DATA); SLUICE_SET="--set delivery.chunking=false" makes Sluice relay with DATA as well.
#
# TOOLS=postfix runs the same phases with Postfix's own tools instead: smtp-source as the generator (no
# pipelining: one round trip per command) and smtp-sink as the sink (DATA only), the pair whose direct rate is the
# usual "ceiling" for an MTA on loopback. They time nothing per message, so that table has no latency columns:
# msgs/s is measured messages / (start of the measured smtp-source run -> smtp-sink counting the last one), the
# warm-up is drained before the clock starts, and host busy covers the same span.
#
# usage: load-test/compare.sh            (as root, or with Postfix already installed and sudo for postfix start)
# environment: COUNT=20000 (measured messages) WARMUP=10000 (0: none) SESSIONS=50 SIZE=5k
#              PHASES="ceiling postfix sluice-fsync sluice-os"
#              DRAIN_TIMEOUT=300 (s to wait for relayed mail) KEEP=1 (keep the work dir) EXTRA_LOAD_ARGS=...
#              SLUICE_SET="--set key=value ..." (extra gateway settings, e.g. to compare a tuning)
#              WARMUP_TIMEOUT=600 (s to wait for the end of the warm-up)
#              TOOLS=sluice|postfix (generator and sink: ./sluice load and ./sluice sink, or smtp-source and
#              smtp-sink; postfix needs one fixed SIZE)
# Everything listens on 127.0.0.1; everything started is stopped by PID on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SLUICE="$ROOT/sluice"
COUNT="${COUNT:-20000}"
WARMUP="${WARMUP:-10000}"
WARMUP_TIMEOUT="${WARMUP_TIMEOUT:-600}"
SESSIONS="${SESSIONS:-50}"
SIZE="${SIZE:-5k}"
PHASES="${PHASES:-ceiling postfix sluice-fsync sluice-os}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-300}"
EXTRA_LOAD_ARGS="${EXTRA_LOAD_ARGS:-}"
SLUICE_SET="${SLUICE_SET:-}"
TOOLS="${TOOLS:-sluice}"
# A bound on each load run as well as the count (the generator insists on one, and a stuck server must not hang us).
LOAD_DURATION="${LOAD_DURATION:-600s}"

WORK="$(mktemp -d /tmp/sluice-compare.XXXXXX)"
chmod 755 "$WORK"   # Postfix's unprivileged daemons must traverse into their queue below it
PIDS=()             # every background process we started, stopped by PID on exit
POSTFIX_DIRS=()     # private Postfix instances to stop on exit
SAMPLER_PID=""

log() { echo "compare: $*" >&2; }
die() { echo "compare: ERROR: $*" >&2; exit 1; }

cleanup() {
  local pid d
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  for d in "${POSTFIX_DIRS[@]}"; do
    postfix -c "$d/etc" stop >/dev/null 2>&1 || true
  done
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if [ "${KEEP:-0}" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'echo "$(basename "$0"): interrupted" >&2; exit 130' INT TERM
trap 'echo "$(basename "$0"): failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------- helpers

# shellcheck source=net.sh
. "$ROOT/load-test/net.sh"

# Prints utime+stime (+cutime+cstime: children already reaped) of the given PIDs, in clock ticks.
cpu_ticks() {
  local total=0 pid f
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    # Fields after the ")" of comm: state is $1, utime $12, stime $13, cutime $14, cstime $15.
    f=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12+$13+$14+$15}') || continue
    total=$((total + ${f:-0}))   # a child may exit between ps and the read
  done
  echo "$total"
}

vmhwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# PIDs of a private Postfix instance: its master (from the pid file) and the master's children.
postfix_pids() {
  local master
  master=$(tr -d ' ' < "$1/queue/pid/master.pid" 2>/dev/null) || return 0
  [ -n "$master" ] || return 0
  echo "$master"
  ps -o pid= --ppid "$master" 2>/dev/null | tr -d ' '
}

# CPU ticks of a private Postfix instance in $1 (master, live children, reaped children).
postfix_cpu_ticks() {
  # shellcheck disable=SC2046
  cpu_ticks $(postfix_pids "$1")
}

# Samples the summed PSS (KiB) of a Postfix instance every 0.5 s, keeping the maximum in $2.
sample_postfix_pss() {
  local dir="$1" out="$2" max=0 sum pid pss
  echo 0 > "$out"
  while true; do
    sum=0
    for pid in $(postfix_pids "$dir"); do
      pss=$(awk '/^Pss:/ {print $2; exit}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
      sum=$((sum + ${pss:-0}))
    done
    if [ "$sum" -gt "$max" ]; then max=$sum; echo "$max" > "$out"; fi
    sleep 0.5
  done
}

# Reads key=value from the RESULT line in file $1 whose second word is $2 (load|sink); prints value of $3.
result() {
  grep "^RESULT $2 " "$1" 2>/dev/null | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p" | head -1
}

# ---------------------------------------------------------------- Postfix's own tools (TOOLS=postfix)

# SIZE as smtp-source's payload length in bytes: 5k -> 5120; a range has no equivalent there.
size_bytes() {
  case "$SIZE" in
    *[0-9][kK]) echo $(( ${SIZE%[kK]} * 1024 )) ;;
    *[0-9][mM]) echo $(( ${SIZE%[mM]} * 1048576 )) ;;
    ''|*[!0-9]*) die "TOOLS=postfix needs one fixed SIZE (e.g. 5k or 5120), got '$SIZE'" ;;
    *) echo "$SIZE" ;;
  esac
}

# The host's busy and total CPU ticks, counted as ./sluice load counts them (HostCpu): busy is user, nice, system,
# irq and softirq; the total adds idle, iowait and steal.
host_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

# smtp-sink -c rewrites "sess=N quit=N mesg=N" and a CR after every message; prints the last complete mesg count.
pf_sink_count() {
  local t
  t=$(tail -c 128 "$SINK_OUT" 2>/dev/null) || t=""
  t=${t%$'\r'*}    # drop a record still being written (or the empty one after the last CR)
  t=${t##*mesg=}
  case "$t" in ''|*[!0-9]*) echo 0 ;; *) echo "$t" ;; esac
}

# Waits until smtp-sink has counted $1 messages (bounded by DRAIN_TIMEOUT); returns 1 if it never did.
pf_wait_count() {
  local want="$1" i
  for i in $(seq 1 $((DRAIN_TIMEOUT * 20))); do
    [ "$(pf_sink_count)" -ge "$want" ] && return 0
    kill -0 "$SINK_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

pf_start_sink() {
  local name="$1" user=()
  SINK_OUT="$WORK/$name.sink.out"
  SINK_PORT=$(free_port)
  [ "$(id -u)" -eq 0 ] && user=(-u nobody)   # smtp-sink refuses to keep root privileges
  smtp-sink -c "${user[@]}" "127.0.0.1:$SINK_PORT" 1000 > "$SINK_OUT" 2> "$WORK/$name.sink.err" &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  wait_banner "$SINK_PORT" "$SINK_PID" 30 || die "smtp-sink did not start: $(cat "$WORK/$name.sink.err")"
}

# smtp-source: WARMUP messages, drained to the sink, then COUNT measured ones; sets CPU_BEFORE (from $3),
# HOST_BEFORE, T_START and SOURCE_OK (COUNT when every message was accepted, else empty).
pf_run_load() {
  local name="$1" port="$2" sample="${3:-}" src
  src=(smtp-source -s "$SESSIONS" -l "$(size_bytes)" -d -f load@load.sluice.test -t sink@sink.sluice.test)
  CPU_BEFORE=""
  SOURCE_OK=""
  if [ "$WARMUP" -gt 0 ]; then
    timeout "$LOAD_DURATION" "${src[@]}" -m "$WARMUP" "127.0.0.1:$port" > "$WORK/$name.warmup.out" 2>&1 \
      || die "$name: smtp-source failed during the warm-up: $(tail -3 "$WORK/$name.warmup.out")"
    pf_wait_count "$WARMUP" || die "$name: the warm-up's messages did not all reach smtp-sink in ${DRAIN_TIMEOUT}s"
  fi
  if [ -n "$sample" ]; then
    # shellcheck disable=SC2086
    CPU_BEFORE=$($sample)
  fi
  HOST_BEFORE=$(host_ticks)
  T_START=$(date +%s.%N)
  if timeout "$LOAD_DURATION" "${src[@]}" -m "$COUNT" "127.0.0.1:$port" > "$WORK/$name.load.out" 2>&1; then
    SOURCE_OK="$COUNT"
  else
    log "$name: smtp-source stopped early: $(tail -3 "$WORK/$name.load.out")"
  fi
}

# Waits for the last measured message at smtp-sink; sets T_END, HOST_AFTER, SINK_HWM_KB and SINK_CPU_AFTER, then
# stops the sink.
pf_drain_sink() {
  local name="$1"
  pf_wait_count $((WARMUP + COUNT)) || log "$name: not every message reached smtp-sink within ${DRAIN_TIMEOUT}s"
  T_END=$(date +%s.%N)
  HOST_AFTER=$(host_ticks)
  SINK_HWM_KB=$(vmhwm_kb "$SINK_PID")
  SINK_CPU_AFTER=$(cpu_ticks "$SINK_PID")
  kill -TERM "$SINK_PID" 2>/dev/null || true
  wait "$SINK_PID" 2>/dev/null || true
}

# Sets the row's sent/arrived counts, msgs/s and host busy from smtp-source's exit and smtp-sink's count.
pf_row_counts() {
  local name="$1" arrived
  arrived=$(( $(pf_sink_count) - WARMUP ))
  [ "$arrived" -gt "$COUNT" ] && arrived="$COUNT"   # smtp-sink counts the warm-up too
  [ "$arrived" -lt 0 ] && arrived=0
  ROW_OK[$name]="${SOURCE_OK:-failed}"
  ROW_ARRIVED[$name]="$arrived"
  ROW_RATE[$name]=$(awk -v n="$arrived" -v a="$T_START" -v b="$T_END" 'BEGIN { printf "%.1f", n / (b - a) }')
  ROW_HOST[$name]=$(echo "$HOST_BEFORE $HOST_AFTER" | awk '{ printf "%.1f", 100 * ($3 - $1) / ($4 - $2) }')
}

# Starts a sink expecting $1 messages; sets SINK_PID, SINK_PORT, SINK_OUT.
start_sink() {
  if [ "$TOOLS" = postfix ]; then pf_start_sink "$1"; return; fi
  local name="$1" expect="$2"
  SINK_OUT="$WORK/$name.sink.out"
  "$SLUICE" sink --listen 127.0.0.1:0 --expect "$expect" --duration "$((DRAIN_TIMEOUT + 900))s" --progress off \
    > "$SINK_OUT" 2> "$WORK/$name.sink.err" &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  local i
  for i in $(seq 1 300); do
    SINK_PORT=$(sed -n 's/^sink listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$SINK_OUT" 2>/dev/null)
    [ -n "$SINK_PORT" ] && return 0
    kill -0 "$SINK_PID" 2>/dev/null || die "sink did not start: $(cat "$WORK/$name.sink.err")"
    sleep 0.1
  done
  die "sink did not report its port"
}

# Runs the generator against port $2 (WARMUP messages, then COUNT measured ones); output in $WORK/$1.load.out.
# $3, if given, is a command printing the server's CPU ticks: it runs when the warm-up ends (before the run when
# WARMUP=0) and its output is left in CPU_BEFORE (empty if the generator never reported the end of its warm-up).
run_load() {
  if [ "$TOOLS" = postfix ]; then pf_run_load "$@"; return; fi
  local name="$1" port="$2" sample="${3:-}" gen i
  local err="$WORK/$name.load.err"
  CPU_BEFORE=""
  if [ "$WARMUP" -eq 0 ] && [ -n "$sample" ]; then
    # shellcheck disable=SC2086
    CPU_BEFORE=$($sample)
  fi
  # shellcheck disable=SC2086
  "$SLUICE" load --target "127.0.0.1:$port" --sessions "$SESSIONS" --count "$COUNT" --warmup "$WARMUP" \
    --duration "$LOAD_DURATION" --size "$SIZE" --progress off $EXTRA_LOAD_ARGS > "$WORK/$name.load.out" 2> "$err" &
  gen=$!
  PIDS+=("$gen")
  if [ "$WARMUP" -gt 0 ]; then
    # Poll for the generator's boundary line; bounded by WARMUP_TIMEOUT and by the generator's own life.
    for i in $(seq 1 $((WARMUP_TIMEOUT * 20))); do
      grep -q 'load: warmup done$' "$err" 2>/dev/null && break
      kill -0 "$gen" 2>/dev/null || break
      sleep 0.05
    done
    if ! grep -q 'load: warmup done$' "$err" 2>/dev/null; then
      log "$name: the generator did not report the end of its warm-up; no CPU figure for this row"
    elif [ -n "$sample" ]; then
      # shellcheck disable=SC2086
      CPU_BEFORE=$($sample)
    fi
  fi
  wait "$gen" || true
  [ -n "$(result "$WORK/$name.load.out" load ok)" ] || die "generator failed: $(tail -5 "$err")"
}

# CPU seconds between two tick counts; empty when the first is unknown.
cpu_seconds() {
  [ -n "$1" ] || return 0
  awk -v a="$2" -v b="$1" -v t="$TICKS" 'BEGIN { printf "%.3f", (a - b) / t }'
}

# Waits until the sink has exited (it exits when all expected mail has arrived) or DRAIN_TIMEOUT, then makes it
# report (SIGTERM prints the summary) if it is still waiting for mail that never came.
drain_sink() {
  if [ "$TOOLS" = postfix ]; then pf_drain_sink "$1"; return; fi
  local name="$1" i
  for i in $(seq 1 $((DRAIN_TIMEOUT * 10))); do
    kill -0 "$SINK_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SINK_PID" 2>/dev/null; then
    log "$name: not every message reached the sink within ${DRAIN_TIMEOUT}s; stopping it"
    kill -TERM "$SINK_PID" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$SINK_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  wait "$SINK_PID" 2>/dev/null || true
}

declare -A ROW_RATE ROW_P99 ROW_E2E ROW_CPU ROW_MEM ROW_OK ROW_ARRIVED ROW_NOTE ROW_HOST
TICKS=$(getconf CLK_TCK)

# Records a finished phase: $1 name, $2 cpu seconds (server), $3 peak memory KiB (server).
record_row() {
  local name="$1" cpu_s="$2" mem_kb="$3" arrived
  if [ "$TOOLS" = postfix ]; then
    pf_row_counts "$name"
  else
    arrived=$(result "$SINK_OUT" sink messages)
    ROW_OK[$name]=$(result "$WORK/$name.load.out" load ok)
    ROW_ARRIVED[$name]=${arrived:-0}
    ROW_RATE[$name]=$(result "$SINK_OUT" sink msgs_per_s)
    ROW_P99[$name]=$(result "$WORK/$name.load.out" load accept_p99_ms)
    ROW_E2E[$name]=$(result "$SINK_OUT" sink e2e_p99_ms)
    ROW_HOST[$name]=$(result "$WORK/$name.load.out" load host_busy_pct)
  fi
  arrived=${ROW_ARRIVED[$name]}
  if [ "$arrived" -gt 0 ] && [ -n "$cpu_s" ] && awk -v c="$cpu_s" 'BEGIN { exit !(c >= 0) }'; then
    ROW_CPU[$name]=$(awk -v c="$cpu_s" -v n="$arrived" 'BEGIN { printf "%.3f", c * 1000 / n }')
  fi
  ROW_MEM[$name]=$(awk -v k="$mem_kb" 'BEGIN { printf "%.0f", k / 1024 }')
  log "$name: sent ok=${ROW_OK[$name]} arrived=$arrived msgs/s=${ROW_RATE[$name]}" \
    "${ROW_P99[$name]:+accept p99=${ROW_P99[$name]} ms}"
}

# ---------------------------------------------------------------- phases

phase_ceiling() {
  log "ceiling: generator -> sink"
  start_sink ceiling "$COUNT"
  if [ "$TOOLS" = postfix ]; then
    run_load ceiling "$SINK_PORT" "cpu_ticks $SINK_PID"
    drain_sink ceiling
    record_row ceiling "$(cpu_seconds "$CPU_BEFORE" "$SINK_CPU_AFTER")" "$SINK_HWM_KB"
    ROW_NOTE[ceiling]="cpu/mem = smtp-sink itself"
    return
  fi
  run_load ceiling "$SINK_PORT"   # the sink's cpu_s starts at its first measured message by itself
  drain_sink ceiling
  record_row ceiling "$(result "$SINK_OUT" sink cpu_s)" "$(result "$SINK_OUT" sink vmhwm_kb)"
  ROW_NOTE[ceiling]="cpu/mem = the sink itself"
}

ensure_postfix() {
  if [ -x /usr/sbin/postfix ] && [ -x /usr/sbin/postconf ]; then return 0; fi
  [ "$(id -u)" -eq 0 ] || die "Postfix is not installed and we are not root: apt-get install postfix"
  log "installing Postfix from Debian's packages"
  apt-get update -qq >/dev/null
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
  # The package may start the system instance; we never use it, and it has no config ("No configuration").
}

# Writes a private Postfix instance in $1 listening on 127.0.0.1:$2 relaying everything to [127.0.0.1]:$3.
write_postfix_config() {
  local dir="$1" port="$2" sinkport="$3"
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  cat > "$dir/etc/main.cf" <<EOF
# Private benchmark instance (written by load-test/compare.sh): loopback only, relays everything to the sink.
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.sluice.test
# No local delivery at all: every recipient is remote and goes to the relayhost.
mydestination =
local_recipient_maps =
local_transport = error:local delivery is off
alias_maps =
alias_database =
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$sinkport
# No rate limits or throttles: this measures the pipeline, not its brakes.
in_flow_delay = 0
default_process_limit = 500
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
default_destination_concurrency_limit = 50
default_destination_rate_delay = 0
smtp_destination_concurrency_limit = 50
# Keep outbound connections to the sink open between messages (Sluice does the same).
smtp_connection_cache_on_demand = yes
smtp_connection_cache_destinations = [127.0.0.1]:$sinkport
smtp_tls_security_level = none
smtpd_tls_security_level = none
biff = no
maillog_file_prefixes = /tmp, /var
maillog_file = $dir/maillog
EOF
  cat > "$dir/etc/master.cf" <<EOF
# service type  private unpriv chroot wakeup maxproc command
127.0.0.1:$port inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

phase_postfix() {
  ensure_postfix
  local dir="$WORK/postfix" port before after cpu_s mem_kb
  log "postfix: generator -> Postfix $(postconf -d -h mail_version 2>/dev/null) -> sink"
  start_sink postfix "$COUNT"
  port=$(free_port)
  write_postfix_config "$dir" "$port" "$SINK_PORT"
  POSTFIX_DIRS+=("$dir")
  postfix -c "$dir/etc" start >/dev/null 2>&1 || die "private Postfix did not start; see $dir/maillog (KEEP=1)"
  wait_banner "$port" "" 30 || die "private Postfix does not answer on 127.0.0.1:$port"
  sample_postfix_pss "$dir" "$WORK/postfix.pss" &
  SAMPLER_PID=$!
  run_load postfix "$port" "postfix_cpu_ticks $dir"
  before="$CPU_BEFORE"
  drain_sink postfix
  after=$(postfix_cpu_ticks "$dir")
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  cpu_s=$(cpu_seconds "$before" "$after")
  mem_kb=$(cat "$WORK/postfix.pss")
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
  record_row postfix "$cpu_s" "$mem_kb"
  ROW_NOTE[postfix]="mem = peak summed PSS of all Postfix processes"
}

phase_sluice() {
  local mode="$1" name="sluice-$1" dir="$WORK/sluice-$1" port pid before after
  log "$name: generator -> ./sluice start (spool.durability=$mode) -> sink"
  start_sink "$name" "$COUNT"
  port=$(free_port)
  mkdir -p "$dir"
  # Run from its own directory so every relative default path (./data/...) lands in the temp dir.
  (cd "$dir" && exec "$SLUICE" start --set "delivery.relayhost=[127.0.0.1]:$SINK_PORT" --set "smtp.port=$port" \
      --set "spool.dir=$dir/spool" --set "pop3.enabled=false" --set "spool.durability=$mode" $SLUICE_SET) \
      > "$dir/gateway.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  if ! wait_banner "$port" "$pid" 120; then
    log "$name: the gateway did not start or does not answer SMTP on 127.0.0.1:$port; its log ends with:"
    tail -15 "$dir/gateway.log" >&2 || true
    kill -TERM "$pid" 2>/dev/null || true
    kill -TERM "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    ROW_NOTE[$name]="gateway did not start (see above)"
    return 0
  fi
  run_load "$name" "$port" "cpu_ticks $pid"
  before="$CPU_BEFORE"
  drain_sink "$name"
  after=$(cpu_ticks "$pid")
  local mem_kb
  mem_kb=$(vmhwm_kb "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  record_row "$name" "$(cpu_seconds "$before" "$after")" "$mem_kb"
}

# ---------------------------------------------------------------- main

log "building (if needed) and checking the tools"
"$SLUICE" load --help > /dev/null || die "./sluice load does not run"
case "$WARMUP" in ''|*[!0-9]*) die "WARMUP must be a whole number of messages (0: no warm-up), got '$WARMUP'" ;; esac
case "$TOOLS" in
  sluice) tools_note="./sluice load -> ./sluice sink, pipelining on" ;;
  postfix)
    ensure_postfix   # smtp-source and smtp-sink come with it
    size_bytes > /dev/null
    tools_note="smtp-source -> smtp-sink (Postfix's tools), no pipelining" ;;
  *) die "TOOLS must be sluice or postfix, got '$TOOLS'" ;;
esac
log "load: $WARMUP warm-up + $COUNT measured messages of $SIZE over $SESSIONS sessions, closed model," \
  "$tools_note; work dir $WORK"

for phase in $PHASES; do
  case "$phase" in
    ceiling) phase_ceiling ;;
    postfix) phase_postfix ;;
    sluice-fsync) phase_sluice fsync ;;
    sluice-os) phase_sluice os ;;
    *) die "unknown phase '$phase'" ;;
  esac
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2fx", a / b }'; }

echo
if [ "$WARMUP" -gt 0 ]; then warmup_note="after a warm-up of $WARMUP (excluded)"; else warmup_note="(no warm-up)"; fi
echo "Relay comparison: $COUNT x $SIZE messages $warmup_note, $SESSIONS sessions, loopback, $(nproc) CPUs," \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); $tools_note"
printf '%-13s %10s %10s %13s %11s %13s %10s %10s  %s\n' phase "msgs/s" "sent ok" "arrived" "accept p99" "cpu s/1k msg" \
  "peak MB" "host busy" "notes"
for phase in $PHASES; do
  printf '%-13s %10s %10s %13s %11s %13s %10s %10s  %s\n' "$phase" "${ROW_RATE[$phase]:--}" "${ROW_OK[$phase]:--}" \
    "${ROW_ARRIVED[$phase]:--}" "${ROW_P99[$phase]:+${ROW_P99[$phase]}ms}" "${ROW_CPU[$phase]:--}" \
    "${ROW_MEM[$phase]:--}" "${ROW_HOST[$phase]:+${ROW_HOST[$phase]}%}" "${ROW_NOTE[$phase]:-}"
done
if [ "$TOOLS" = postfix ]; then
  echo "msgs/s: measured messages / (start of the measured smtp-source run -> smtp-sink counting the last)." \
    "Neither tool measures latency."
else
  echo "msgs/s: measured messages arrived at the sink / (first measured injection -> last arrival)." \
    "accept p99: MAIL -> 250 after the dot."
fi
echo "cpu s/1k msg: server CPU from the end of the warm-up to the last arrival, per 1,000 measured messages." \
  "peak MB: whole run, warm-up included."
echo "host busy: all processes' share of all CPUs while the generator measured (generator, server and sink share them)."
[ "$TOOLS" = postfix ] || \
  echo "end-to-end p99 (ms, injection -> sink): $(for p in $PHASES; do printf '%s=%s ' "$p" "${ROW_E2E[$p]:--}"; done)"
for mode in fsync os; do
  s="sluice-$mode"
  case " $PHASES " in *" $s "*) ;; *) continue ;; esac
  echo "$s / postfix: throughput $(ratio "${ROW_RATE[$s]:-}" "${ROW_RATE[postfix]:-}")," \
    "cpu per message $(ratio "${ROW_CPU[$s]:-}" "${ROW_CPU[postfix]:-}")," \
    "accept p99 $(ratio "${ROW_P99[$s]:-}" "${ROW_P99[postfix]:-}");" \
    "$s / ceiling: throughput $(ratio "${ROW_RATE[$s]:-}" "${ROW_RATE[ceiling]:-}")"
done
