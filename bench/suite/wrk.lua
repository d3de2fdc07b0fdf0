-- wrk's script for the benchmark suite (bench/run.sh). From the environment:
--   BENCH_METHOD, BENCH_BODY_BYTES   the request's method and a body of that many bytes;
--   BENCH_DELAY_MS                   a pause before each request on a connection (pacing).
-- At the end prints one line "JSON {...}" with what run.sh records.
local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then wrk.method = method end
local body_bytes = tonumber(os.getenv("BENCH_BODY_BYTES") or "0")
if body_bytes > 0 then wrk.body = string.rep("b", body_bytes) end
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

if delay_ms > 0 then
  function delay() return delay_ms end
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local failed = e.connect + e.read + e.write + e.timeout + e.status
  print(string.format(
    'JSON {"requests":%d,"errors":%d,"status_errors":%d,"socket_errors":%d,"seconds":%.3f,' ..
    '"rps":%.1f,"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f}}',
    summary.requests, failed, e.status, e.connect + e.read + e.write + e.timeout, seconds,
    (summary.requests - e.status) / seconds,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3))
end
