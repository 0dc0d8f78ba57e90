-- GoToAssist: first page of incidents
request = function() return wrk.format("GET", "/v1/incidents.json") end
