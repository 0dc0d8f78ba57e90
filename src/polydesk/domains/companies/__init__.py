"""Companies: the organisations customers belong to."""
