"""Links between records, and from records to configuration items."""
