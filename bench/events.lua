-- wrk script: POST /v1/shops/demo-bakery/events with a unique event id per request (so every
-- request is a real ledger write, not an idempotent replay), spread over 1,000 members.
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local n = 0
function request()
  n = n + 1
  local body = string.format(
    '{"id":"bench-%d-%d-%d","type":"order.paid","customer_id":"b%d","order_id":"b%d-%d-%d","amount_minor":1250,"currency":"EUR"}',
    run, tid, n, n % 1000, run, tid, n)
  return wrk.format("POST", "/v1/shops/demo-bakery/events",
    {["Authorization"] = "Bearer sk_test_demo_bakery", ["Content-Type"] = "application/json"}, body)
end

function init(args)
  run = tonumber(args[1]) or os.time()
end
