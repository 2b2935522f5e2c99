-- A GET with the bearer token given as the first script argument.
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
