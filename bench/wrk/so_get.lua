-- ServiceOps: GET /api/v1/incident/<id> (Bearer token)
request = function() return wrk.format("GET", "/api/v1/incident/" .. pick_id()) end
