"""One module per GoToAssist resource."""
