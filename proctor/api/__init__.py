"""Thin HTTP routers over the domain modules."""
