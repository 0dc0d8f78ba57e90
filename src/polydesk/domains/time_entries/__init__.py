"""Time spent on records, in whole minutes, per user and day."""
