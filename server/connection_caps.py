"""How many connections may be open: overall, from one address, and per player.

- **Overall**, ``max_connections``: each connection is a file descriptor, and a server
  out of them cannot even answer ``/healthz``. At start the process's file limit is
  raised to its hard limit and the cap lowered to fit under it.
- **Per address**, ``max_connections_per_address``: one address cannot take them all.
  Counted on the socket for a peer that connects directly (server/socket_guard.py), and
  for websockets by the client's address, which behind a trusted proxy is the forwarded
  one. A proxy's own address is not capped: everyone arrives from it.
- **New connections per address**, ``connection_limit`` (``count/seconds``): a peer
  that connects directly may open that many at once, then at that rate. The cap above
  bounds what an address holds; this bounds how fast it can make the server accept,
  hand-shake and hello its way through connections the cap then closes again.
- **Per player**, ``max_sockets_per_player``: a player's token opens a few sockets at
  most (tabs, a phone reconnecting). A newer socket replaces the oldest, which closes
  with 4409: a phone back from a Wi-Fi drop must get in at once, while the server may
  still hold its dead socket, and whoever holds the token is the player anyway.

``ZOPA_RATE_LIMITS=off`` lifts the per-address cap with the other per-address limits.
"""

from __future__ import annotations

import ipaddress
import logging
import resource
import time
from collections import Counter
from typing import Generic, TypeVar

from zopa.server.config import Settings
from zopa.server.rate_limits import Buckets, Limit

log = logging.getLogger("zopa.connections")

# Descriptors kept free of connections: the database, its journal, logs, the listener.
RESERVED_FILES = 64
C = TypeVar("C")


class AddressCounts:
    """Open connections per address, each address up to a cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._open: Counter[str] = Counter()

    def take(self, address: str) -> bool:
        if self._open[address] >= self.cap:
            return False
        self._open[address] += 1
        return True

    def give(self, address: str) -> None:
        left = self._open[address] - 1
        if left > 0:
            self._open[address] = left
        else:
            del self._open[address]


class PlayerSockets(Generic[C]):
    """Each player's open sockets, oldest first, up to a cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._open: dict[str, dict[C, None]] = {}

    def add(self, player: str, socket: C) -> list[C]:
        """Count a new socket; the oldest ones it replaces, to be closed."""
        held = self._open.setdefault(player, {})
        held[socket] = None
        over = max(0, len(held) - self.cap)
        return list(held)[:over]

    def remove(self, player: str, socket: C) -> None:
        held = self._open.get(player)
        if held is None:
            return
        held.pop(socket, None)
        if not held:
            del self._open[player]


class Proxies:
    """The trusted proxies of ``--forwarded-allow-ips``: addresses, networks or ``*``."""

    def __init__(self, spec: str) -> None:
        items = [item.strip() for item in spec.split(",") if item.strip()]
        self.everyone = "*" in items
        self.networks = [
            ipaddress.ip_network(item, strict=False) for item in items if _is_address(item)
        ]

    def __contains__(self, address: str) -> bool:
        if self.everyone:
            return True
        try:
            found = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(found in network for network in self.networks)


def _is_address(item: str) -> bool:
    try:
        ipaddress.ip_network(item, strict=False)
    except ValueError:
        return False
    return True


class ConnectionCaps:
    def __init__(self, settings: Settings, forwarded_allow_ips: str | None = None) -> None:
        self.overall = settings.max_connections
        self.proxies = Proxies(forwarded_allow_ips or settings.forwarded_allow_ips)
        per_address = settings.max_connections_per_address if settings.rate_limits else 0
        # Two tallies: sockets by peer (socket_guard.py), websockets by client address.
        self.peers = AddressCounts(per_address) if per_address > 0 else None
        self.clients = AddressCounts(per_address) if per_address > 0 else None
        self.opening: Buckets | None = None
        if settings.rate_limits:
            limit = Limit.parse(settings.connection_limit, "ZOPA_CONNECTION_LIMIT")
            self.opening = Buckets(limit, time.monotonic)
        self.players: PlayerSockets[object] = PlayerSockets(settings.max_sockets_per_player)

    def fit_file_limit(self) -> int:
        """Raise the file limit to the hard limit and lower the overall cap to fit it."""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or hard > soft:
            wanted = self.overall + RESERVED_FILES
            target = wanted if hard == resource.RLIM_INFINITY else min(hard, max(soft, wanted))
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft = target
            except (ValueError, OSError):
                pass
        fits = max(1, soft - RESERVED_FILES)
        if fits < self.overall:
            log.warning(
                "the file limit (%d) holds only %d connections, not %d: raise it to allow more",
                soft,
                fits,
                self.overall,
            )
            self.overall = fits
        return self.overall
