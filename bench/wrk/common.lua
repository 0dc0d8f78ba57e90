-- Shared by every scenario (bench/run.py prepends it): auth header, deterministic ids, and a
-- one-line JSON report on stdout. Environment: BENCH_AUTH (the whole Authorization value),
-- BENCH_RECORDS (ids are drawn from 1..N), BENCH_SEED, BENCH_PACE_MS (below).
local auth = os.getenv("BENCH_AUTH")
wrk.headers["Authorization"] = auth
wrk.headers["Accept"] = "application/json"
records = tonumber(os.getenv("BENCH_RECORDS") or "1000")
math.randomseed(tonumber(os.getenv("BENCH_SEED") or "42"))

-- BENCH_PACE_MS: each connection waits a random 0..2×pace ms before each request (mean pace),
-- so the offered load is set by the driver instead of by the server's answers.
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "0")
if pace > 0 then
  function delay()
    return math.random(0, 2 * pace)
  end
end

function pick_id()
  return math.random(1, records)
end

-- wrk.format replaces wrk.headers when given a table: copy them in.
function json_body(method, path, body)
  local headers = {["Content-Type"] = "application/json"}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  return wrk.format(method, path, headers, body)
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local s = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, s.connect, s.read, s.write,
    s.timeout, s.status))
end
