"""The demo data set behind ``polydesk demo``: for trying Polydesk out, never for production."""
