"""GoToAssist Service Desk API v1 dialect."""
