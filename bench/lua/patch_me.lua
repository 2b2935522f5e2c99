-- PATCH /users/me with the bearer token given as the first script argument.
function init(args)
  wrk.method = "PATCH"
  wrk.body = '{"name": "Bench User"}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
