"""Requests counted per caller and hour, shared by every worker and node through the database."""
