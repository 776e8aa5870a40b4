-- wrk at a steady rate: each wrk thread sends its share of the requests on a fixed schedule
-- (the first at a random point of the first interval), whatever its connections answer, so the
-- latencies are those of a server holding that rate, not of one pushed to its limit.
-- Argument: the interval in milliseconds between one thread's requests.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } tutela_timespec;
int clock_gettime(int clock, tutela_timespec *now);
]])
local MONOTONIC = 1
local clock = ffi.new("tutela_timespec")
local interval, next_at

local function now_ms()
  ffi.C.clock_gettime(MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

function init(args)
  interval = tonumber(args[1])
end

function delay()
  local now = now_ms()
  next_at = next_at or (now + math.random() * interval)
  local wait = next_at - now
  next_at = next_at + interval
  return math.max(wait, 0)
end
