-- django-helpdesk: first page of the ticket list filtered by status (Open, Reopened)
request = function() return wrk.format("GET", "/api/tickets/?status=1,2") end
