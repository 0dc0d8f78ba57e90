"""Release review users: staff who review a release before it goes out, each with a review
status."""
