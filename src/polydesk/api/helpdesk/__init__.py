"""django-helpdesk REST dialect."""
