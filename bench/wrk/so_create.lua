-- ServiceOps: POST /api/v1/incident
local n = 0
request = function()
  n = n + 1
  return json_body("POST", "/api/v1/incident", string.format(
    '{"subject": "Printer on fire %d", "requesterEmail": "tim@acme.com", ' ..
    '"description": "Smoke from tray 2, the paper is brown at the edges."}', n))
end
