-- GoToAssist: POST /v1/incidents.json
local n = 0
request = function()
  n = n + 1
  return json_body("POST", "/v1/incidents.json", string.format(
    '{"incident": {"title": "Printer on fire %d", "service_id": 1, ' ..
    '"description": "Smoke from tray 2, the paper is brown at the edges."}}', n))
end
