# Loopback helpers shared by compare.sh and common.sh (sourced, not run).

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits for an SMTP 220 banner on 127.0.0.1:$1 while PID $2 lives; $3 = timeout in seconds.
wait_banner() {
  local port="$1" pid="$2" timeout="$3" line="" i
  for i in $(seq 1 $((timeout * 5))); do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      line=""
      read -r -t 5 line <&3 || true
      printf 'QUIT\r\n' >&3 2>/dev/null || true
      exec 3<&- 3>&- || true
      case "$line" in 220*) return 0 ;; esac
    fi
    sleep 0.2
  done
  return 1
}
