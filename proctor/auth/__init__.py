"""Authentication (passwords, tokens) and authorisation (roles and site scope)."""
