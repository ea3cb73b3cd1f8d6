#!/usr/bin/env bash
# Switchboard against its peers, on this machine, in one run (about 7 minutes on 2 cores):
#   direct      - a bare Reactor Netty WebSocket echo (the physical limit, no relay)
#   nginx       - Debian's nginx as a WebSocket reverse proxy with `hash $arg_key consistent`
#                 (sticky per connection) in front of direct-echo backends (what a user would pick instead)
#   switchboard - Switchboard's relay routing each message to 4 in-process non-blocking echo
#                 workers (benchmarks' RelayEchoServer)
#   example     - the echo example as shipped (`switchboard-examples.jar echo --workers 4`), whose
#                 workers run on blocking threads and touch a resource cache per request
#   zmq         - the relay routing every message over ZeroMQ to one remote worker in its own JVM
#                 (benchmarks' ZmqEchoWorker: the same non-blocking echo as the in-process
#                 workers, capacity CONNS x WINDOW, so the whole offered window can be in flight)
#   zmqn        - the same with BACKENDS remote worker processes: nginx's work (BACKENDS echo
#                 processes behind one proxy), so the row to compare with nginx
# Any error answer or failed request (errors=, error_answers= of the load generator) fails the run
# after the table is printed: errors never count as throughput.
# 0. a JIT warm-up run per server; 1. closed loop: CONNS connections x WINDOW requests in flight,
#    SECS seconds, runs alternated ROUNDS times, median requests/s; 2. open loop: every server at the same offered load (70% of the
#    slowest relay's closed-loop figure), p99 without coordinated omission; 3. a sweep over
#    SWEEP connections (all but the example), alternated SWEEP_ROUNDS times, the best round of
#    each point (other tenants of the machine only ever slow a run down), plotted to $PLOT. Prints a Markdown table of figures and ratios.
# Usage: bash benchmarks/peers/run.sh
#   env: CONNS=64 WINDOW=8 SECS=3 ROUNDS=3 WARMUP_SECS=15 BACKENDS=2
#        SWEEP="1 4 16 64 256" SWEEP_SECS=2 SWEEP_ROUNDS=2
#        PLOT=benchmarks/docs/connections-sweep.png (PLOT= skips the sweep)
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNS=${CONNS:-64}; WINDOW=${WINDOW:-8}; SECS=${SECS:-3}; ROUNDS=${ROUNDS:-3}; BACKENDS=${BACKENDS:-2}
WARMUP_SECS=${WARMUP_SECS:-15}
SWEEP=${SWEEP:-1 4 16 64 256}; SWEEP_SECS=${SWEEP_SECS:-2}; SWEEP_ROUNDS=${SWEEP_ROUNDS:-2}
PLOT=${PLOT-benchmarks/docs/connections-sweep.png}
JAR=benchmarks/target/benchmarks.jar
EX=examples/target/switchboard-examples.jar
[ -f "$JAR" ] && [ -f "$EX" ] || mvn -B -q -DskipTests package
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d)
# servers start inside $(...) subshells, so their pids go to a file, not a variable
cleanup() {
  [ -f "$work/pids" ] && while read -r p; do kill "$p" 2>/dev/null || true; done <"$work/pids"
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME PATTERN cmd...: runs a process in the background, waits for PATTERN in its output
started() {
  local name=$1 pattern=$2; shift 2
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  echo $! >>"$work/pids"
  for _ in $(seq 1 300); do
    grep -q "$pattern" "$work/$name.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$name did not start" >&2; cat "$work/$name.out" "$work/$name.err" >&2; exit 1
}
# start NAME cmd...: a server; prints its ws:// URL
start() {
  local name=$1; shift
  started "$name" "listening on" "$@"
  grep -o 'listening on [^ ]*' "$work/$name.out" | head -1 | sed 's/listening on //'
}
port_of() { echo "$1" | sed -E 's|.*:([0-9]+)/.*|\1|'; }

declare -A url=()
names=(direct nginx switchboard example)
url[direct]=$(start direct java -cp "$JAR" dev.switchboard.benchmarks.DirectEchoServer --port 0)
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
  tcp_nodelay on;
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
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
CONF
"$NGINX" -p "$work" -c "$work/nginx.conf"
url[nginx]="ws://127.0.0.1:$nginx_port/ws"
url[switchboard]=$(start switchboard java -cp "$JAR" dev.switchboard.benchmarks.RelayEchoServer --port 0 --workers 4)
url[example]=$(start example java -jar "$EX" echo --port 0 --workers 4)
zmq_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
started zmqworker "connecting" java -cp "$JAR" dev.switchboard.benchmarks.ZmqEchoWorker \
  --connect "tcp://127.0.0.1:$zmq_port" --capacity $((CONNS * WINDOW))
url[zmq]=$(start zmq java -cp "$JAR" dev.switchboard.benchmarks.RelayEchoServer --port 0 --workers 0 \
  --zmq-bind "tcp://127.0.0.1:$zmq_port" --await-zmq-workers 1)
names+=(zmq)
# like for like with nginx: the relay with as many remote worker processes as nginx has echo processes
zmqn_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for i in $(seq 1 "$BACKENDS"); do
  started "zmqworker$i" "connecting" java -cp "$JAR" dev.switchboard.benchmarks.ZmqEchoWorker \
    --connect "tcp://127.0.0.1:$zmqn_port" --id "echo-$i" --capacity $((CONNS * WINDOW))
done
url[zmqn]=$(start zmqn java -cp "$JAR" dev.switchboard.benchmarks.RelayEchoServer --port 0 --workers 0 \
  --zmq-bind "tcp://127.0.0.1:$zmqn_port" --await-zmq-workers "$BACKENDS")
names+=(zmqn)

load() { # url conns seconds warmup extra-args... -> prints the LoadGenerator's final line
  local u=$1 c=$2 s=$3 w=$4; shift 4
  java -cp "$JAR" dev.switchboard.benchmarks.LoadGenerator --url "$u" --connections "$c" \
    --window "$WINDOW" --duration "$s" --warmup "$w" --keys 1000 --zipf 0.9 --key-in-url "$@" 2>/dev/null | tail -1
}
field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
# an error answer or a failed request is not throughput: any of them fails the run (after the table)
failures=""
checked() { # name line -> the line, noting its errors
  local e a; e=$(field "$2" errors); a=$(field "$2" error_answers)
  if [ -z "$e" ] || [ "$e" != 0 ] || [ -z "$a" ] || [ "$a" != 0 ]; then failures="$failures $1(errors=${e:-?},error_answers=${a:-?})"; fi
  echo "$2"
}

# JIT warm-up of every server (and the machine's other tenants make single runs noisy: the
# figures below are medians of alternated rounds)
for n in "${names[@]}"; do
  line=$(load "${url[$n]}" "$CONNS" "$WARMUP_SECS" 1); checked "$n" "$line" >/dev/null; echo "warm-up $n: $line" >&2
done
declare -A rps=() all=() open_p99=() open_rps=()
for r in $(seq 1 "$ROUNDS"); do
  for n in "${names[@]}"; do
    line=$(load "${url[$n]}" "$CONNS" "$SECS" 1); checked "$n" "$line" >/dev/null; echo "round $r $n: $line" >&2
    all[$n]="${all[$n]:-} $(field "$line" requests_per_s)"
  done
done
median() { python3 -c "import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
for n in "${names[@]}"; do rps[$n]=$(median ${all[$n]}); done
slowest=$(for n in "${names[@]}"; do [ "$n" = direct ] || echo "${rps[$n]}"; done | sort -g | head -1)
rate=$(python3 -c "print(int(0.7 * $slowest))")
for n in "${names[@]}"; do
  line=$(load "${url[$n]}" "$CONNS" "$SECS" 3 --rate "$rate"); checked "$n" "$line" >/dev/null
  echo "open loop $n at $rate/s: $line" >&2
  open_p99[$n]=$(field "$line" p99_us); open_rps[$n]=$(field "$line" requests_per_s)
done

if [ -n "$PLOT" ]; then
  echo "server,connections,requests_per_s,p99_us" >"$work/sweep.csv"
  : >"$work/sweep-all.csv"
  for r in $(seq 1 "$SWEEP_ROUNDS"); do
    for c in $SWEEP; do
      for n in "${names[@]}"; do
        [ "$n" = example ] && continue
        line=$(load "${url[$n]}" "$c" "$SWEEP_SECS" 1); checked "$n" "$line" >/dev/null
        echo "sweep $r $n $c connections: $line" >&2
        echo "$n,$c,$(field "$line" requests_per_s),$(field "$line" p99_us)" >>"$work/sweep-all.csv"
      done
    done
  done
  python3 - "$work/sweep-all.csv" >>"$work/sweep.csv" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    n, c, r, p = line.strip().split(",")
    k = (n, int(c))
    if k not in best or float(r) > float(best[k][0]):
        best[k] = (r, p)
for (n, c), (r, p) in best.items():
    print(f"{n},{c},{r},{p}")
PY
  mkdir -p "$(dirname "$PLOT")"
  cp "$work/sweep.csv" "${PLOT%.*}.csv"
  java -cp "$JAR" dev.switchboard.benchmarks.SweepPlot --csv "$work/sweep.csv" --out "$PLOT" \
    --subtitle "$(date -u +%F), $(nproc) cores, window $WINDOW per connection, load generator on the same machine" >&2
fi

args=()
for n in "${names[@]}"; do args+=("$n" "${rps[$n]}" "${open_p99[$n]}" "${open_rps[$n]}"); done
python3 - "$CONNS" "$WINDOW" "$SECS" "$ROUNDS" "$rate" "$BACKENDS" "${args[@]}" <<'PY'
import sys, datetime, os
conns, window, secs, rounds, rate, backends = sys.argv[1:7]
rest = sys.argv[7:]
rows = {rest[i]: (float(rest[i + 1]), float(rest[i + 2]), float(rest[i + 3])) for i in range(0, len(rest), 4)}
labels = {
    "direct": "direct Reactor Netty echo (baseline)",
    "nginx": f"nginx `hash $arg_key consistent` over {backends} echo processes (peer)",
    "switchboard": "Switchboard, 4 in-process workers (one process: not the same work as nginx's)",
    "example": "Switchboard echo example (blocking workers)",
    "zmq": "Switchboard, 1 remote ZeroMQ worker process",
    "zmqn": f"Switchboard, {backends} remote ZeroMQ worker processes (nginx's work)",
}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
d, n = rows["direct"][0], rows["nginx"][0]
print(f"# {datetime.date.today()}, {os.cpu_count()} x {cpu}; {conns} connections x {window} in flight, "
      f"median of {rounds} alternated {secs}-s rounds; p99 open loop at {int(float(rate)):,} req/s offered")
print("| server | requests/s | vs direct | vs nginx | p99 at same load | p99 vs nginx |")
print("|---|---:|---:|---:|---:|---:|")
for k, (r, p, _) in rows.items():
    print(f"| {labels[k]} | {r:,.0f} | {r / d:.2f} | {r / n:.2f} | {p / 1000:,.2f} ms | {p / rows['nginx'][1]:.2f} |")
PY
if [ -n "$failures" ]; then
  echo "FAILED: error answers or failed requests are not throughput:$failures" >&2
  exit 1
fi
