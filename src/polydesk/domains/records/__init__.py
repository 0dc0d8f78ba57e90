"""The record core: incidents, requests, problems, changes and releases, their numbers, their
kind-specific details and their life cycle (resolve, close, reopen, merge, delete)."""
