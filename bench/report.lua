-- wrk script: each request logs in as one of many users (cookies from the
-- file given after "--"), and the run ends with one JSON line of figures.
local cookies = {}
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    cookies[#cookies + 1] = line
  end
end

function request()
  counter = counter + 1
  local cookie = cookies[(counter % #cookies) + 1]
  return wrk.format(nil, nil, { ["Cookie"] = cookie })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "socket_errors": %d, "non_2xx": %d, "p50_ms": %.2f, "p95_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
