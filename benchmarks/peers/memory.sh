#!/usr/bin/env bash
# Heap per idle WebSocket connection, relay vs the bare Reactor Netty echo, in one run.
# Each server runs in its own JVM with a 1 GiB heap (-Xmx1g); a Python client in another process
# (Debian's python3-websockets) opens CONNECTIONS idle WebSockets to it. The server reports the
# heap used after a full GC before and after; the difference divided by the connections is the
# cost of one. Prints a table with how many connections would fit in 1 GiB at that cost.
# A process can hold no more sockets than `ulimit -n` allows; the script raises the limit when it
# may and otherwise holds as many as the hard limit allows (a sandbox without CAP_SYS_RESOURCE caps
# it at its hard limit), and says so. HEAP sets -Xmx (default 1g): running N connections in a heap
# of 1 GiB x N/50,000 checks the 50,000-in-1-GiB target when N must stay below 50,000.
# Usage: [HEAP=1g] bash benchmarks/peers/memory.sh [CONNECTIONS]   (default 50000; 1 to 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-50000}
JAR=benchmarks/target/benchmarks.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
PY=/usr/bin/python3
"$PY" -c 'import websockets' 2>/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-websockets >/dev/null; }
# Both ends of every connection are a file descriptor on this machine.
HEAP=${HEAP:-1g}
ulimit -n $((N + 2000)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((N + 1000)) ]; then
  echo "ulimit -n is capped at $(ulimit -n) here: holding $(( $(ulimit -n) - 1000 )) connections instead of $N" >&2
  N=$(( $(ulimit -n) - 1000 ))
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# measure TARGET: prints "TARGET before_bytes after_bytes connections"
measure() {
  local target=$1
  mkfifo "$work/$target.in" "$work/$target.cin"
  java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -cp "$JAR" dev.switchboard.benchmarks.IdleConnectionServer --target "$target" \
    <"$work/$target.in" >"$work/$target.out" 2>"$work/$target.err" &
  local spid=$!; pids+=("$spid")
  exec 3>"$work/$target.in"
  for _ in $(seq 1 300); do grep -q "listening on" "$work/$target.out" && break; sleep 0.1; done
  local url; url=$(grep -o 'ws://[^ ]*' "$work/$target.out" | head -1)
  sleep 2; echo gc >&3
  for _ in $(seq 1 300); do [ "$(grep -c heap_used "$work/$target.out")" -ge 1 ] && break; sleep 0.1; done
  local before; before=$(grep heap_used "$work/$target.out" | tail -1 | sed -E 's/.*heap_used_bytes=([0-9]+).*/\1/')
  "$PY" benchmarks/peers/idle_clients.py "$url" "$N" <"$work/$target.cin" >"$work/$target.client" 2>&1 &
  local cpid=$!; pids+=("$cpid")
  exec 4>"$work/$target.cin"
  for _ in $(seq 1 3000); do grep -q "^open" "$work/$target.client" && break; sleep 0.1; done
  sleep 2; echo gc >&3
  for _ in $(seq 1 600); do [ "$(grep -c heap_used "$work/$target.out")" -ge 2 ] && break; sleep 0.1; done
  local line; line=$(grep heap_used "$work/$target.out" | tail -1)
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$spid/status")
  echo "$target $before $(echo "$line" | sed -E 's/.*heap_used_bytes=([0-9]+) connections=(-?[0-9]+).*/\1 \2/') $rss $(head -1 "$work/$target.client")" 
  grep -i 'outofmemory' "$work/$target.err" >&2 || true
  exec 4>&-; wait "$cpid" || true
  exec 3>&-; wait "$spid" || true
}

direct=$(measure direct); echo "$direct" >&2
relay=$(measure relay); echo "$relay" >&2
python3 - "$direct" "$relay" "$N" "$HEAP" <<'PY'
import sys, datetime, os
rows = [a.split() for a in sys.argv[1:3]]
n, heap = int(sys.argv[3]), sys.argv[4]
print(f"# {datetime.date.today()} {os.cpu_count()} cores; {n} idle WebSockets per server, -Xmx{heap}, client in another process")
print("| server | connections held | heap per connection (after GC) | fit in 1 GiB heap | vs direct echo | process RSS |")
print("|---|---:|---:|---:|---:|---:|")
base = None
for r in rows:
    target, before, after, conns, rss = r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])
    per = (after - before) / max(1, conns)
    base = base or per
    print(f"| {'bare Reactor Netty echo' if target == 'direct' else 'Switchboard relay'} | {conns:,} "
          f"| {per / 1024:.1f} KiB | {int(((1 << 30) - before) / per):,} | {per / base:.2f} | {rss / 1024:.0f} MiB |")
PY
