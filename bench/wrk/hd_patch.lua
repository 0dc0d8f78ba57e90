-- django-helpdesk: PATCH /api/tickets/<id>/ (priority and on-hold flag)
request = function()
  local id = pick_id()
  return json_body("PATCH", "/api/tickets/" .. id .. "/", string.format(
    '{"priority": %d, "on_hold": %s}', id % 5 + 1, (id % 2 == 0) and "true" or "false"))
end
