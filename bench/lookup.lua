-- wrk script: GET /api/v1/persons/{id_number} for ID numbers read from $HUKOU_IDS, with the
-- session cookie $HUKOU_COOKIE.
local ids = {}
for line in io.lines(os.getenv("HUKOU_IDS")) do ids[#ids + 1] = line end
local cookie = "hukou_session=" .. os.getenv("HUKOU_COOKIE")
local counter = 0

request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format("GET", "/api/v1/persons/" .. id .. "?purpose=bench", { ["Cookie"] = cookie })
end

done = function(summary, latency, requests)
  io.write(string.format("requests_per_second=%.0f p99_ms=%.2f non_2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    summary.errors.status))
end
