"""API clients, OAuth2 tokens, API tokens and HTTP Basic credentials: who is calling."""
