"""Release records: entries kept on a release (for example one per deployment)."""
