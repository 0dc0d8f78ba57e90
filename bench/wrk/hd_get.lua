-- django-helpdesk: GET /api/tickets/<id>/ (random existing id)
request = function() return wrk.format("GET", "/api/tickets/" .. pick_id() .. "/") end
