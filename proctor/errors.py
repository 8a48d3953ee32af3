"""Domain errors, mapped to HTTP status codes in one place (:mod:`proctor.api.errors`)."""

from __future__ import annotations


class ProctorError(Exception):
    """Base class; ``str(error)`` says what is wrong and what to do about it."""


class NotFound(ProctorError):
    """The named thing does not exist."""


class Conflict(ProctorError):
    """The request clashes with existing state (a duplicate name, say)."""


class InvalidInput(ProctorError):
    """The request is malformed."""


class Forbidden(ProctorError):
    """The caller is known but may not do this (role or scope)."""


class NotAuthenticated(ProctorError):
    """No valid credentials came with the request (HTTP 401; a WebSocket closes with 1008)."""
