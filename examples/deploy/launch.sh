#!/usr/bin/env bash
# Starts docs/DEPLOY.md's topology on this machine (Linux: it uses 127.0.0.2 and 127.0.0.3):
# nginx on $PORT, round-robin over 3 echo relays, and 4 remote workers that follow the name
# relays.switchboard.test, which a hosts file maps to the relays' gateway addresses (the JDK reads
# it instead of DNS: -Djdk.net.hosts.file). Prints the URL; Ctrl-C stops everything.
# Usage: bash examples/deploy/launch.sh     env: PORT=8080 GATEWAY_PORT=5555 CAPACITY=4 CACHE=64
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-8080}; GATEWAY_PORT=${GATEWAY_PORT:-5555}; CAPACITY=${CAPACITY:-4}; CACHE=${CACHE:-64}
NAME=relays.switchboard.test
JAR=examples/target/switchboard-examples.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package -pl examples -am
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }

work=$(mktemp -d)
# every process below is a child of this script: on Ctrl-C (or any exit) stop them all, then
# the whole process group, so that nothing is left running
stop() {
  trap - INT TERM EXIT
  echo "stopping"
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
  # anything a child left behind in our process group (this also ends this script)
  kill -- -$$ 2>/dev/null || true
}
trap stop INT TERM EXIT

# waits for PATTERN in FILE (a process's output), or gives up after 60 s
await() {
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

# the name the workers follow: one line per relay; add a line to add a relay
for n in 1 2 3; do echo "127.0.0.$n $NAME"; done >"$work/hosts"

upstreams=""
for n in 1 2 3; do
  java -jar "$JAR" echo --workers 0 --host 127.0.0.1 --port 0 \
    --gateway "tcp://127.0.0.$n:$GATEWAY_PORT" --heartbeat-ms 1000 --liveness 3 >"$work/relay$n.out" 2>&1 &
done
for n in 1 2 3; do
  await "$work/relay$n.out" "listening on"
  port=$(grep -o 'listening on ws://[0-9.]*:[0-9]*' "$work/relay$n.out" | sed 's/.*://')
  upstreams+="    server 127.0.0.1:$port;"$'\n'
  echo "relay$n: http://127.0.0.1:$port, gateway tcp://127.0.0.$n:$GATEWAY_PORT"
done

for n in 1 2 3 4; do
  # ttl=0: the JVM looks the name up again every time (by default it caches answers for 30 s)
  java -Djdk.net.hosts.file="$work/hosts" -Dsun.net.inetaddr.ttl=0 -jar "$JAR" worker \
    --connect-all "$NAME:$GATEWAY_PORT" --follow-ms 1000 --app echo \
    --capacity "$CAPACITY" --cache "$CACHE" --id "worker-$n" >"$work/worker$n.out" 2>&1 &
done

mkdir -p "$work/logs"
sed -e "s|@PREFIX@|$work|g" -e "s|@LISTEN@|127.0.0.1:$PORT|" examples/deploy/nginx.conf \
  | awk -v u="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", u; else print }' >"$work/nginx.conf"
"$NGINX" -p "$work" -c "$work/nginx.conf" &
for _ in $(seq 1 100); do [ -f "$work/nginx.pid" ] && break; sleep 0.1; done
[ -f "$work/nginx.pid" ] || { echo "nginx did not start:" >&2; cat "$work/error.log" >&2; exit 1; }

for n in 1 2 3 4; do await "$work/worker$n.out" "serving"; done
echo
echo "ready: ws://127.0.0.1:$PORT/ws (nginx -> 3 relays -> 4 workers); logs in $work"
echo "try:   python3 examples/deploy/send.py ws://127.0.0.1:$PORT/ws KEY...  (python3-websockets), or any WebSocket"
echo "       client: send {\"id\": 1, \"key\": \"a\", \"body\": \"hi\"}; the answer names the worker and whether it had 'a' cached"
echo "Ctrl-C stops everything"
wait
