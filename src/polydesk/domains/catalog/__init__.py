"""The service catalogue (services, priorities, activity types, categories) and statuses."""
