-- POST /users with a new address every request (unique per thread and run).
local counter = 0
local prefix = ""

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  prefix = tostring(math.random(1, 2000000000))
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name": "Bench Newcomer", "email": "new-%s-%d@bench.example", ' ..
    '"password": "a long enough bench passphrase"}', prefix, counter)
  return wrk.format("POST", "/users", {["Content-Type"] = "application/json"}, body)
end
