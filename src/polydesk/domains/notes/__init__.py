"""Typed notes on records: comments, symptoms, resolutions, follow-ups and conversations."""
