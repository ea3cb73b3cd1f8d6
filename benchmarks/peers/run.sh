#!/usr/bin/env bash
# Switchboard's echo relay against its peers, on this machine, in one run:
#   direct  - a bare Reactor Netty WebSocket echo (the physical limit, no relay)
#   nginx   - Debian's nginx as a WebSocket reverse proxy with `hash $arg_key consistent` (sticky
#             per connection) in front of direct-echo backends (what a user would pick instead)
#   switchboard - the echo example: per-message routing to in-process workers
# Runs are alternated (ROUNDS times) with the same LoadGenerator settings; then each relay is
# measured open-loop at the same offered load for p99. Prints a table of figures and ratios.
# Usage: bash benchmarks/peers/run.sh [CONNECTIONS] [WINDOW] [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNS=${1:-64}; WINDOW=${2:-8}; SECS=${3:-10}; ROUNDS=${4:-2}; BACKENDS=${BACKENDS:-2}
JAR=benchmarks/target/benchmarks.jar
EX=examples/target/switchboard-examples.jar
[ -f "$JAR" ] && [ -f "$EX" ] || mvn -B -q -DskipTests package
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start "$name" cmd...: runs a server in the background and waits for its "listening on" line
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 1 300); do
    if grep -q "listening on" "$work/$name.out" 2>/dev/null; then
      grep -o 'listening on [^ ]*' "$work/$name.out" | head -1 | sed 's/listening on //'; return 0
    fi
    sleep 0.1
  done
  echo "$name did not start" >&2; cat "$work/$name.err" >&2; exit 1
}
port_of() { echo "$1" | sed -E 's|.*:([0-9]+)/.*|\1|'; }

direct_url=$(start direct java -cp "$JAR" dev.switchboard.benchmarks.DirectEchoServer --port 0)
upstreams=""
for i in $(seq 1 "$BACKENDS"); do
  u=$(start "backend$i" java -cp "$JAR" dev.switchboard.benchmarks.DirectEchoServer --port 0)
  upstreams="$upstreams    server 127.0.0.1:$(port_of "$u");"$'\n'
done
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream echo {
    hash \$arg_key consistent;
$upstreams  }
  server {
    listen 127.0.0.1:$nginx_port;
    location /ws {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 1h;
    }
  }
}
CONF
"$NGINX" -p "$work" -c "$work/nginx.conf"
nginx_url="ws://127.0.0.1:$nginx_port/ws"
sb_url=$(start switchboard java -jar "$EX" echo --port 0 --workers 4)

load() { # url extra-args... -> prints the LoadGenerator's final line
  local url=$1; shift
  java -cp "$JAR" dev.switchboard.benchmarks.LoadGenerator --url "$url" --connections "$CONNS" \
    --window "$WINDOW" --duration "$SECS" --warmup 2 --keys 1000 --zipf 0.9 --key-in-url "$@" 2>/dev/null | tail -1
}
field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }

declare -A sum=()
for r in $(seq 1 "$ROUNDS"); do
  for name in direct nginx switchboard; do
    case $name in direct) url=$direct_url;; nginx) url=$nginx_url;; switchboard) url=$sb_url;; esac
    line=$(load "$url"); echo "round $r $name: $line" >&2
    sum[$name]=$(python3 -c "print(${sum[$name]:-0} + $(field "$line" requests_per_s))")
  done
done
for n in direct nginx switchboard; do sum[$n]=$(python3 -c "print(${sum[$n]} / $ROUNDS)"); done
rate=$(python3 -c "print(int(0.7 * min(${sum[nginx]}, ${sum[switchboard]})))")
nginx_open=$(load "$nginx_url" --rate "$rate"); echo "open-loop nginx: $nginx_open" >&2
sb_open=$(load "$sb_url" --rate "$rate"); echo "open-loop switchboard: $sb_open" >&2

python3 - "${sum[direct]}" "${sum[nginx]}" "${sum[switchboard]}" "$rate" \
  "$(field "$nginx_open" p99_us)" "$(field "$sb_open" p99_us)" "$CONNS" "$WINDOW" "$SECS" "$ROUNDS" <<'PY'
import sys, datetime, platform, os
d, n, s, rate, np99, sp99, conns, window, secs, rounds = sys.argv[1:]
d, n, s, np99, sp99 = map(float, (d, n, s, np99, sp99))
print(f"# {datetime.date.today()} {platform.machine()} {os.cpu_count()} cores; {conns} connections x window {window}, {secs} s, {rounds} rounds alternated")
print("| relay | requests/s | vs direct echo | vs nginx |")
print("|---|---:|---:|---:|")
print(f"| direct Reactor Netty echo | {d:,.0f} | 1.00 | {d/n:.2f} |")
print(f"| nginx hash $arg_key consistent | {n:,.0f} | {n/d:.2f} | 1.00 |")
print(f"| Switchboard echo (4 in-process workers) | {s:,.0f} | {s/d:.2f} | {s/n:.2f} |")
print(f"| p99 at {int(float(rate)):,} req/s offered | nginx {np99:,.0f} us | Switchboard {sp99:,.0f} us | ratio {sp99/np99:.2f} |")
PY
