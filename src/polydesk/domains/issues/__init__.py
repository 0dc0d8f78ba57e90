"""Issues: known problems raised against a change or a release, or on their own."""
