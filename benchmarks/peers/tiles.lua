-- wrk script for tiles.sh: replays a tile trace (lines "L x y", written by TileTrace) as
-- GET <prefix>L/x_y<suffix>, each wrk thread from its own offset (thread t of T starts at
-- t * length / T and walks round; wrk's Lua hooks are per thread, not per connection, so a
-- thread's connections take the trace's tiles in turn). With a delay, each connection waits
-- that many milliseconds before each request: a paced, still closed, loop.
--   wrk -t T -c C -d S -s tiles.lua URL -- TRACE PREFIX SUFFIX T [DELAY_MS]
-- done() prints one line: requests_per_s= p50_us= p99_us= non2xx= socket_errors= bytes_per_tile=
-- (wrk counts status >= 400 as non2xx; the script fails the run on any of them).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local trace, prefix, suffix, nthreads = args[1], args[2], args[3], tonumber(args[4])
  local pause = tonumber(args[5] or "0")
  requests = {}
  for line in io.lines(trace) do
    local l, x, y = line:match("^%s*(%d+)%s+(%d+)%s+(%d+)%s*$")
    if l then
      requests[#requests + 1] = wrk.format("GET", prefix .. l .. "/" .. x .. "_" .. y .. suffix)
    end
  end
  if #requests == 0 then
    error("no tiles in " .. trace)
  end
  nextTile = math.floor(tid * #requests / nthreads) + 1
  if pause > 0 then
    delay = function() return pause end
  end
end

function request()
  local r = requests[nextTile]
  nextTile = nextTile + 1
  if nextTile > #requests then
    nextTile = 1
  end
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "requests_per_s=%.0f p50_us=%.1f p99_us=%.1f non2xx=%d socket_errors=%d bytes_per_tile=%.0f\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, summary.bytes / math.max(1, summary.requests)))
end
