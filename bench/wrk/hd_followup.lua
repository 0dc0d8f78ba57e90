-- django-helpdesk: POST /api/followups/ (a public comment on a random ticket)
request = function()
  return json_body("POST", "/api/followups/", string.format(
    '{"ticket": %d, "comment": "We replaced the power supply; please try again.", ' ..
    '"public": true}', pick_id()))
end
