"""People who sign in or are named on records: accounts, roles, passwords, authentication."""
