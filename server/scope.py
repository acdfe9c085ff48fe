"""What an ASGI scope says about a request: its path below the mount, its client."""

from __future__ import annotations

from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """The path below the mount point, as Starlette's router matches it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def client_address(scope: Scope) -> str:
    """The client's address: the peer's, or the one a trusted proxy forwarded.

    uvicorn has already put a forwarded address here when the peer is one of
    ``--forwarded-allow-ips``, and only then.
    """
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
