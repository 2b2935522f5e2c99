-- POST /login with the email and password given as script arguments.
function init(args)
  wrk.method = "POST"
  wrk.body = string.format('{"email": "%s", "password": "%s"}', args[1], args[2])
  wrk.headers["Content-Type"] = "application/json"
end
