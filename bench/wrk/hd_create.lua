-- django-helpdesk: POST /api/tickets/ (JSON; the fields the peer's form needs)
local n = 0
request = function()
  n = n + 1
  return json_body("POST", "/api/tickets/", string.format(
    '{"queue": 1, "title": "Printer on fire %d", "description": "Smoke from tray 2, ' ..
    'the paper is brown at the edges.", "submitter_email": "alice@example.com", "priority": 2}', n))
end
