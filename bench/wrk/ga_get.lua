-- GoToAssist: GET /v1/incidents/<id>.json (API token as Basic password)
request = function() return wrk.format("GET", "/v1/incidents/" .. pick_id() .. ".json") end
