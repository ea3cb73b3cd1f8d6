#!/usr/bin/env bash
# The tile scenario against its peers, on this machine, in one run (about 4 minutes, plus about
# a minute the first time to make the image): one SIZE x SIZE pyramidal JPEG TIFF (vips, 256-px
# tiles, Q85; synthetic: Perlin and Worley noise with grain, ~15-30 KB a tile), one seeded trace
# of tiles, four servers serving it:
#   inproc  - Switchboard's tile server with 4 in-process workers (`switchboard-examples.jar tiles`)
#   remote  - the same with `--workers 0 --gateway tcp://…` and REMOTE_WORKERS worker JVMs
#             (`switchboard-examples.jar worker --app tiles`), each of capacity REMOTE_CAPACITY
#   iip     - IIPImage (Debian's iipsrv 1.1): IIP_PROCS FastCGI processes (spawn-fcgi) behind
#             nginx (an upstream of them), DeepZoom requests; memory tile cache IIP_CACHE_MB per
#             process, no log, JPEG_QUALITY 85 (the TIFF's), one OpenMP thread per process
#   static  - nginx serving the same image cut by `vips dzsave` (256 px, no overlap, Q85) as files
# The trace (TileTrace): TRACE_LEN tiles drawn uniformly over every tile of the LEVELS finest
# DeepZoom levels (so each level weighs as many tiles as it has: "many viewers panning" over
# the full-resolution end of the pyramid), from SEED. LoadGenerator (tile mode, WebSocket) and wrk
# (tiles.lua, HTTP/1.1 keep-alive) replay that same file, walking it from spread offsets.
# 0. one warm-up run per server (JIT, page cache; the peers, without a JIT, shorter: their page
#    cache and IIPImage's cache fill in a few seconds); 1. closed loop, CONNS
#    connections with one request each in flight, SECS seconds, servers alternated ROUNDS times,
#    median tiles/s; 2. every server at one offered load, 70% of IIPImage's median, its p99:
#    all paced alike (each connection waits before each request, wrk's delay() hook and
#    LoadGenerator --delay-ms: still a closed loop, latency timed from the send), and the
#    Switchboard rows also open loop (LoadGenerator --rate: latency timed from each request's due
#    time, no coordinated omission; wrk has no open loop, wrk2 is not in Debian).
# Any error answer (WebSocket error frame, HTTP status >= 400, socket error) fails the run.
# Prints a Markdown table with the ratios of this run.
# Usage: bash benchmarks/peers/tiles.sh
#   env: CONNS=64 SECS=5 ROUNDS=3 WARMUP_SECS=15 PEER_WARMUP_SECS=5 SIZE=16384 LEVELS=3 TRACE_LEN=200000 SEED=42
#        IIP_PROCS=2 IIP_CACHE_MB=64 REMOTE_WORKERS=2 REMOTE_CAPACITY=8
#        TILE_CACHE=${TMPDIR:-/tmp}/switchboard-tiles-bench (the image, made once per SIZE)
#        SERVERS="inproc remote iip static" (a subset must keep iip and static: the ratios)
#        TILE_IMAGE, TILE_DATA: the name and data folder the Switchboard tile server is asked
#        for (default: big, the TIFF's folder); only to try the script against a tile server that
#        serves other images of the same geometry (then its rows compare different tiles)
set -euo pipefail
cd "$(dirname "$0")/../.."
T0=$(date +%s)
CONNS=${CONNS:-64}; SECS=${SECS:-5}; ROUNDS=${ROUNDS:-3}; WARMUP_SECS=${WARMUP_SECS:-15}
PEER_WARMUP_SECS=${PEER_WARMUP_SECS:-5}
SIZE=${SIZE:-16384}; LEVELS=${LEVELS:-3}; TRACE_LEN=${TRACE_LEN:-200000}; SEED=${SEED:-42}
IIP_PROCS=${IIP_PROCS:-2}; IIP_CACHE_MB=${IIP_CACHE_MB:-64}
REMOTE_WORKERS=${REMOTE_WORKERS:-2}; REMOTE_CAPACITY=${REMOTE_CAPACITY:-8}
CACHE=${TILE_CACHE:-${TMPDIR:-/tmp}/switchboard-tiles-bench}/$SIZE
IMAGE=big
TILE_IMAGE=${TILE_IMAGE:-$IMAGE}
TILE_DATA=${TILE_DATA:-$CACHE/tiff}
JAR=benchmarks/target/benchmarks.jar
EX=examples/target/switchboard-examples.jar
IIPSRV=/usr/lib/iipimage-server/iipsrv.fcgi
[ -f "$JAR" ] && [ -f "$EX" ] || mvn -B -q -DskipTests package
missing=()
command -v vips >/dev/null 2>&1 || missing+=(libvips-tools)
[ -x "$IIPSRV" ] || missing+=(iipimage-server)
command -v spawn-fcgi >/dev/null 2>&1 || missing+=(spawn-fcgi)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
say() { echo "$*" >&2; }
fail() {
  say "tiles.sh FAILED: $*"
  # the servers' own words on what went wrong (warnings and errors of every JVM the run started)
  for f in "$work"/*.err "$work"/*.out; do
    [ -f "$f" ] && grep -h -A3 -E "WARN|ERROR|Exception" "$f" 2>/dev/null | head -20 | sed "s|^|$(basename "$f"): |" >&2
  done
  exit 1
}

# The image, once per SIZE: made in a scratch folder beside the cache, moved in when complete.
if [ ! -f "$CACHE/tiff/$IMAGE.tif" ] || [ ! -f "$CACHE/dz/$IMAGE.dzi" ]; then
  say "making the ${SIZE}x${SIZE} image in $CACHE (once; about a minute at 16384)"
  t=$(date +%s)
  mkdir -p "$(dirname "$CACHE")"
  scratch=$(mktemp -d "$CACHE.making.XXXXXX")
  (
    cd "$scratch"
    # colour: large-scale Perlin (red), Worley cells with Gaussian grain (green), fine Perlin
    # (blue); the grain gives the tiles a photograph's JPEG sizes
    vips perlin r.v "$SIZE" "$SIZE" --cell-size 512 --uchar --seed 1
    vips worley w.v "$SIZE" "$SIZE" --cell-size 64 --seed 2
    vips gaussnoise n.v "$SIZE" "$SIZE" --sigma 12 --mean 0
    vips add w.v n.v wn.v && rm w.v n.v
    vips linear wn.v g.v 2.5 0 --uchar && rm wn.v
    vips perlin b.v "$SIZE" "$SIZE" --cell-size 32 --uchar --seed 3
    vips bandjoin "r.v g.v b.v" rgb.v && rm r.v g.v b.v
    mkdir tiff dz
    vips tiffsave rgb.v "tiff/$IMAGE.tif" --tile --tile-width 256 --tile-height 256 --pyramid \
      --compression jpeg --Q 85
    rm rgb.v
    vips dzsave "tiff/$IMAGE.tif" "dz/$IMAGE" --tile-size 256 --overlap 0 --suffix '.jpg[Q=85]'
  ) || { rm -rf "$scratch"; fail "vips could not make the image"; }
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  mv "$scratch/tiff" "$scratch/dz" "$CACHE/"
  rm -rf "$scratch"
  say "image made in $(( $(date +%s) - t )) s: $(du -sh "$CACHE/tiff/$IMAGE.tif" | cut -f1) TIFF, $(du -sh "$CACHE/dz" | cut -f1) of dzsave tiles"
fi
WIDTH=$(vipsheader -f width "$CACHE/tiff/$IMAGE.tif")
HEIGHT=$(vipsheader -f height "$CACHE/tiff/$IMAGE.tif")

work=$(mktemp -d)
# servers start inside $(...) subshells, so their pids go to a file, not a variable
cleanup() {
  local pids=() p f
  [ -f "$work/pids" ] && while read -r p; do pids+=("$p"); done <"$work/pids"
  for f in "$work/client.pid" "$work/nginx.pid" "$work"/iip*.pid; do [ -f "$f" ] && pids+=("$(cat "$f")"); done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # the JVMs take a few seconds to close their sessions; what is left after 10 s is killed
  for _ in $(seq 1 100); do
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && break; p=; done
    [ -z "${p:-}" ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM

java -cp "$JAR" dev.switchboard.benchmarks.TileTrace --width "$WIDTH" --height "$HEIGHT" --levels "$LEVELS" \
  --length "$TRACE_LEN" --seed "$SEED" --out "$work/trace.txt" >&2
# the bytes of the trace's distinct tiles (as dzsave wrote them): what a cache would have to hold
WORKING_SET_MB=$(python3 - "$work/trace.txt" "$CACHE/dz/${IMAGE}_files" <<'PY'
import os, sys
tiles = {tuple(l.split()) for l in open(sys.argv[1]) if l.strip()}
print(round(sum(os.path.getsize(f"{sys.argv[2]}/{l}/{x}_{y}.jpg") for l, x, y in tiles) / 2**20))
PY
)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# started NAME PATTERN cmd...: runs a process in the background, waits for PATTERN in its output
started() {
  local name=$1 pattern=$2; shift 2
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  echo $! >>"$work/pids"
  for _ in $(seq 1 600); do
    grep -q "$pattern" "$work/$name.out" 2>/dev/null && return 0
    sleep 0.1
  done
  say "$name did not start"; cat "$work/$name.out" "$work/$name.err" >&2; exit 1
}
# start NAME cmd...: a tile server; prints its port
start() {
  local name=$1; shift
  started "$name" "listening on" "$@"
  grep -o 'listening on [^ ]*' "$work/$name.out" | head -1 | sed -E 's|.*:([0-9]+)/.*|\1|'
}

declare -A url=() label=()
read -r -a names <<<"${SERVERS:-inproc remote iip static}"
has() { [[ " ${names[*]} " == *" $1 "* ]]; }
has iip && has static || fail "SERVERS must keep iip and static, the ratios' baselines"
label[inproc]="Switchboard tile server, 4 in-process workers"
label[remote]="Switchboard tile server, $REMOTE_WORKERS remote workers (ZeroMQ)"
label[iip]="IIPImage (iipsrv 1.1, $IIP_PROCS FastCGI processes behind nginx)"
label[static]="nginx static (dzsave tiles)"

if has inproc; then
  p=$(start inproc java -jar "$EX" tiles --host 127.0.0.1 --port 0 --workers 4 --data "$TILE_DATA")
  url[inproc]="ws://127.0.0.1:$p/ws"
fi
if has remote; then
  gw="tcp://127.0.0.1:$(free_port)"
  p=$(start remote java -jar "$EX" tiles --host 127.0.0.1 --port 0 --workers 0 --gateway "$gw" --data "$TILE_DATA")
  url[remote]="ws://127.0.0.1:$p/ws"
  for i in $(seq 1 "$REMOTE_WORKERS"); do
    started "worker$i" "serving" java -jar "$EX" worker --connect "$gw" --app tiles --data "$TILE_DATA" \
      --capacity "$REMOTE_CAPACITY" --id "tiles-remote-$i"
  done
  # the relay answers no_workers until the workers have registered
  for _ in $(seq 1 300); do
    n=$(curl -sf "http://127.0.0.1:$p/stats" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["workers"]))' 2>/dev/null || echo 0)
    [ "$n" -ge "$REMOTE_WORKERS" ] && break
    sleep 0.1
  done
  [ "$n" -ge "$REMOTE_WORKERS" ] || fail "only $n of $REMOTE_WORKERS remote workers registered with the tile server"
fi

upstreams=""
for i in $(seq 1 "$IIP_PROCS"); do
  port=$(free_port)
  # iipsrv reads its configuration from the environment; no LOGFILE: no log
  env -i PATH=/usr/bin:/bin FILESYSTEM_PREFIX="$CACHE/tiff/" MAX_IMAGE_CACHE_SIZE="$IIP_CACHE_MB" \
    JPEG_QUALITY=85 OMP_NUM_THREADS=1 VERBOSITY=0 \
    spawn-fcgi -a 127.0.0.1 -p "$port" -P "$work/iip$i.pid" -- "$IIPSRV" >/dev/null
  upstreams="$upstreams    server 127.0.0.1:$port;"$'\n'
done
nginx_port=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  open_file_cache max=20000 inactive=60s;
  types { image/jpeg jpg; }
  # no keep-alive to the FastCGI processes: each serves one connection at a time, and a kept
  # connection of one nginx worker would stall the other's requests behind it
  upstream iip {
$upstreams  }
  server {
    listen 127.0.0.1:$nginx_port;
    location /fcgi-bin/iipsrv.fcgi {
      fastcgi_pass iip;
      fastcgi_param PATH_INFO \$fastcgi_script_name;
      fastcgi_param REQUEST_METHOD \$request_method;
      fastcgi_param QUERY_STRING \$query_string;
      fastcgi_param CONTENT_TYPE \$content_type;
      fastcgi_param CONTENT_LENGTH \$content_length;
      fastcgi_param SERVER_PROTOCOL \$server_protocol;
      fastcgi_param REQUEST_URI \$request_uri;
    }
    location /${IMAGE}_files/ {
      root $CACHE/dz;
    }
  }
}
CONF
"$NGINX" -p "$work" -c "$work/nginx.conf"
url[iip]="http://127.0.0.1:$nginx_port"
url[static]="http://127.0.0.1:$nginx_port"
declare -A prefix=([iip]="/fcgi-bin/iipsrv.fcgi?DeepZoom=$IMAGE.tif_files/" [static]="/${IMAGE}_files/")
# one tile each way first: a peer that cannot serve the image fails here, not in the middle
t=$(head -1 "$work/trace.txt")
for n in iip static; do
  path="${prefix[$n]}$(echo "$t" | awk '{print $1 "/" $2 "_" $3}').jpg"
  code=$(curl -s -o "$work/first-$n.jpg" -w '%{http_code}' "${url[$n]}$path")
  [ "$code" = 200 ] && [ "$(head -c 3 "$work/first-$n.jpg" | od -An -tx1 | tr -d ' \n')" = ffd8ff ] \
    || fail "$n answered $code to $path, not a JPEG"
done

field() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
# run NAME SECONDS [DELAY_MS or RATE]: one measured run; prints its summary line
# client CMD...: runs a load generator to its end, its output in $work/client.out; its pid
# stays in $work/client.pid meanwhile, so that the cleanup stops it too
client() {
  "$@" >"$work/client.out" 2>"$work/client.err" &
  echo $! >"$work/client.pid"
  local rc=0
  wait $! || rc=$?
  rm -f "$work/client.pid"
  return $rc
}
# run NAME SECONDS [rate R | delay MS] [FILE]: one measured run, closed loop, open loop at R
# tiles/s (the load generator only) or paced by a wait of MS before each request; sets $line to
# its summary line (in this shell, not a $(...) subshell, so that a SIGTERM stops it at once);
# the load generator writes the tile of the trace's first line to FILE
run() {
  local n=$1 s=$2 mode=${3:-} value=${4:-} save=${5:-} pace=()
  case $mode in
    rate) pace=(--rate "$value") ;;
    delay) pace=(--delay-ms "$value") ;;
  esac
  case $n in
    inproc|remote)
      if ! client java -cp "$JAR" dev.switchboard.benchmarks.LoadGenerator --url "${url[$n]}" --connections "$CONNS" \
          --window 1 --threads 2 --duration "$s" --warmup 1 --tile-trace "$work/trace.txt" --image "$TILE_IMAGE" \
          "${pace[@]}" ${save:+--save-first-tile "$save"}; then
        grep -v SLF4J "$work/client.err" | tail -5 >&2; cat "$work/client.out" >&2
        fail "$n: the load generator failed (see above)"
      fi
      line=$(tail -1 "$work/client.out") ;;
    iip|static)
      [ "$mode" != rate ] || fail "wrk has no open loop"
      client wrk -t2 -c"$CONNS" -d"${s}s" --timeout 10s -s benchmarks/peers/tiles.lua "${url[$n]}" -- \
        "$work/trace.txt" "${prefix[$n]}" .jpg 2 ${value:+"$value"} \
        || { cat "$work/client.out" "$work/client.err" >&2; fail "$n: wrk failed"; }
      line=$(grep '^requests_per_s=' "$work/client.out" | tail -1 || true)
      [ "$(field "$line" non2xx)" = 0 ] && [ "$(field "$line" socket_errors)" = 0 ] \
        || fail "$n: answers with status >= 400 or socket errors: $line" ;;
  esac
}

for n in "${names[@]}"; do
  case $n in inproc|remote) w=$WARMUP_SECS ;; *) w=$PEER_WARMUP_SECS ;; esac
  run "$n" "$w" "" "" "$work/first-$n.tile"; say "warm-up $n: $line"
done
# the trace's first tile from each server against dzsave's cut of it: it must decode, have the
# same size and about the same mean (each JPEG was encoded once more or less than another)
read -r l x y <<<"$t"
ref="$CACHE/dz/${IMAGE}_files/$l/${x}_$y.jpg"
ref_avg=$(vips avg "$ref")
for n in "${names[@]}"; do
  [ "$n" = static ] && continue
  f="$work/first-$n.tile"; [ "$n" = iip ] && f="$work/first-$n.jpg"
  keep="${TMPDIR:-/tmp}/tiles.sh-$n-$l-$x-$y.tile"
  avg=$(vips avg "$f" 2>/dev/null) || { cp "$f" "$keep"; fail "$n's tile $l/$x/$y does not decode (kept in $keep)"; }
  size="$(vipsheader -f width "$f")x$(vipsheader -f height "$f")"
  say "tile $l/$x/$y: $n $size, mean $avg (dzsave: $(vipsheader -f width "$ref")x$(vipsheader -f height "$ref"), mean $ref_avg)"
  case $n in inproc|remote) [ "$TILE_IMAGE" = "$IMAGE" ] || continue ;; esac
  [ "$size" = "$(vipsheader -f width "$ref")x$(vipsheader -f height "$ref")" ] \
    && python3 -c "import sys; sys.exit(0 if abs($avg - $ref_avg) <= 2 else 1)" \
    || { cp "$f" "$keep"; fail "$n's tile $l/$x/$y is not dzsave's: $size, mean $avg (kept in $keep)"; }
done
declare -A all=() rps=() bpt=() fmt=() p99=() offered=()
for r in $(seq 1 "$ROUNDS"); do
  for n in "${names[@]}"; do
    run "$n" "$SECS"; say "round $r $n: $line"
    all[$n]="${all[$n]:-} $(field "$line" requests_per_s)"
    bpt[$n]=$(field "$line" bytes_per_tile)
    case $n in
      inproc|remote) fmt[$n]="jpeg=$(field "$line" jpeg) png=$(field "$line" png)" ;;
      *) fmt[$n]="JPEG (first tile checked)" ;;
    esac
  done
done
median() { python3 -c "import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
for n in "${names[@]}"; do rps[$n]=$(median ${all[$n]}); done
rate=$(python3 -c "print(int(0.7 * ${rps[iip]}))")
# every server paced alike, as wrk's delay() does: each connection waits before each request, so
# the rate falls short by the time the answers take; the wait is corrected once by what the first
# run showed, and the run closer to the offered load counts
d=$(python3 -c "print(max(1, round(1000 * $CONNS / $rate)))")
declare -A open_p99=() open_got=()
for n in "${names[@]}"; do
  run "$n" "$SECS" delay "$d"
  first=$line
  got=$(field "$line" requests_per_s)
  d2=$(python3 -c "print(max(0, round($d - (1000 * $CONNS / max(1.0, $got) - $d))))")
  if python3 -c "import sys; sys.exit(0 if $got < 0.97 * $rate and $d2 < $d else 1)"; then
    say "paced $n at $rate/s: wait $d ms gave $got/s, again with $d2 ms"
    run "$n" "$SECS" delay "$d2"
    if ! python3 -c "import sys; sys.exit(0 if abs($(field "$line" requests_per_s) - $rate) < abs($got - $rate) else 1)"; then
      line=$first
    fi
  fi
  say "paced $n at $rate/s: $line"
  p99[$n]=$(field "$line" p99_us); offered[$n]=$(field "$line" requests_per_s)
  # the Switchboard rows open loop too: timed from each request's due time, stricter
  case $n in
    inproc|remote)
      run "$n" "$SECS" rate "$rate"; say "open loop $n at $rate/s: $line"
      open_p99[$n]=$(field "$line" p99_us); open_got[$n]=$(field "$line" requests_per_s) ;;
    *) open_p99[$n]=; open_got[$n]= ;;
  esac
done

args=()
for n in "${names[@]}"; do
  args+=("$n" "${rps[$n]}" "${p99[$n]}" "${offered[$n]}" "${open_p99[$n]:--}" "${open_got[$n]:--}" "${bpt[$n]}"
    "${fmt[$n]}" "${label[$n]}")
done
python3 - "$CONNS" "$SECS" "$ROUNDS" "$rate" "$WIDTH" "$HEIGHT" "$LEVELS" "$TRACE_LEN" "$WORKING_SET_MB" \
  "$IIP_PROCS" "$IIP_CACHE_MB" "$TILE_IMAGE" "$(( $(date +%s) - T0 ))" "${args[@]}" <<'PY'
import sys, datetime, os
conns, secs, rounds, rate, w, h, levels, length, ws, procs, cache, image, took = sys.argv[1:14]
rest = sys.argv[14:]
rows = {rest[i]: rest[i + 1:i + 9] for i in range(0, len(rest), 9)}
iip, static, iip_p99 = float(rows["iip"][0]), float(rows["static"][0]), float(rows["iip"][1])
# issue 18: tiles/s against IIPImage and nginx static, p99 against IIPImage's at the same load
targets = {"inproc": (5.0, 0.5, True), "remote": (3.0, None, False)}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"# {datetime.date.today()}, {os.cpu_count()} x {cpu}; {w}x{h} JPEG TIFF, {length} tiles uniform over the "
      f"{levels} finest levels ({ws} MB of distinct tiles; IIPImage cache {procs} x {cache} MB); {conns} connections, "
      f"one request each in flight, median of {rounds} alternated {secs}-s rounds; p99 at {int(float(rate)):,} "
      f"tiles/s offered (70% of IIPImage's): every server paced alike (a wait before each request, as wrk's "
      f"delay(); latency from the send), the Switchboard rows also open loop (latency from each request's due "
      f"time); bytes/tile of the peers count the HTTP headers; run took {took} s")
if image != "big":
    print(f"# NOTE: the Switchboard rows served image '{image}', not the TIFF: they compare different tiles")
print("| server | tiles/s | vs IIPImage | vs nginx static | target | p99 paced (achieved tiles/s) "
      "| p99 open loop (achieved) | bytes/tile | answers |")
print("|---|---:|---:|---:|---|---:|---:|---:|---|")
for k, (r, p, got, op, ogot, b, fmt, label) in rows.items():
    r = float(r)
    t = targets.get(k)
    checks = []
    if t:
        checks.append((f"≥{t[0]:g}× IIPImage", r / iip >= t[0]))
        if t[1] is not None:
            checks.append((f"≥{t[1]:g}× static", r / static >= t[1]))
        if t[2]:
            checks.append(("p99 ≤ IIPImage's", float(p) <= iip_p99))
    target = "; ".join(f"{what}: {'yes' if ok else 'NO'}" for what, ok in checks)
    open_loop = "" if op == "-" else f"{float(op) / 1000:,.2f} ms ({float(ogot):,.0f})"
    print(f"| {label} | {r:,.0f} | {r / iip:.2f} | {r / static:.2f} | {target} | {float(p) / 1000:,.2f} ms "
          f"({float(got):,.0f}) | {open_loop} | {float(b):,.0f} | {fmt} |")
PY
