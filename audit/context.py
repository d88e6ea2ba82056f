"""The client address of the current request, for audit events written deep in services."""

from contextvars import ContextVar

client_addr: ContextVar[str] = ContextVar("client_addr", default="")
