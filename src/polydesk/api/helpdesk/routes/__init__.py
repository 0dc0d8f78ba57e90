"""The django-helpdesk routes, one module per resource."""
