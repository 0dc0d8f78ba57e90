-- django-helpdesk: first page of the ticket list
request = function() return wrk.format("GET", "/api/tickets/") end
