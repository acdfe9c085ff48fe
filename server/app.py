"""The Starlette application: storage, sessions, the HTTP API, ``/ws`` and the web client.

Start-up opens storage and rebuilds every live game before the first request; a
heartbeat records that the server is alive, so a crash's downtime stays off the
clocks, and while storage fails it is the write that finds out when it works again.
``drain`` is the clean shutdown: sockets close with 1001, actors stop, storage flushes
and closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from importlib import resources

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from zopa.server import memory
from zopa.server.body_limit import BodyLimit
from zopa.server.config import Settings
from zopa.server.connection_caps import ConnectionCaps
from zopa.server.errors import Unavailable
from zopa.server.http_api import Api
from zopa.server.hub import Hub
from zopa.server.idle_sessions import IdleSessions
from zopa.server.practice_retention import PracticeRetention
from zopa.server.rate_limits import RateLimited, RateLimits
from zopa.server.refusal_log import RefusalLog
from zopa.server.scenario_api import ScenarioApi
from zopa.server.scenario_folders import add_folders
from zopa.server.scenario_library import MAX_SCENARIO_BYTES, ScenarioLibrary
from zopa.server.scope import route_path
from zopa.server.security_headers import SecurityHeaders
from zopa.server.sessions import Sessions
from zopa.server.storage import Storage
from zopa.server.storage_open import storage_for
from zopa.server.storage_postgres import PostgresStorage
from zopa.server.web_api import WebApi
from zopa.server.ws import Endpoint

log = logging.getLogger("zopa.app")


class Zopa:
    """The running server's parts, so the serve command and tests can reach them."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], float] = time.time,
        storage: Storage | None = None,
    ) -> None:
        """``clock`` and ``storage`` are for tests: a virtual clock, a storage they watch."""
        self.settings = settings
        self.clock = clock
        self.storage = storage or storage_for(settings.database, settings.commit_interval)
        self.hub = Hub()
        self.library = ScenarioLibrary()
        self.sessions = Sessions(self.storage, self.hub, settings, clock, library=self.library)
        if isinstance(self.storage, PostgresStorage):
            self.sessions.let_go = self.storage.let_go
        # The limits of docs/security.md: refusals are logged as counts.
        self.refusals = RefusalLog(logging.getLogger("zopa.refused"), settings.refusal_log_seconds)
        self.limits = RateLimits(settings, self.refusals)
        self.caps = ConnectionCaps(settings)
        self.retention = PracticeRetention(self.sessions, self.storage, settings)
        self.idle = IdleSessions(self.sessions, self.hub, settings, clock)
        self._heartbeat: asyncio.Task[None] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._drained = False

    async def start(self) -> None:
        await self.storage.open()
        self.storage.health.listen(self._storage_changed)
        # The library before the sessions: a session may be on one of its scenarios.
        self.library.restore(await self.storage.scenarios())
        await add_folders(self.library, self.storage, self.settings.scenario_folders)
        resumed = await self.sessions.recover()
        await self._beat_once()
        self._heartbeat = asyncio.create_task(self._beat(), name="heartbeat")
        self.retention.start()
        self.idle.start()
        if self.settings.gc_sweep_seconds > 0:
            memory.take_over()
            self._sweeper = asyncio.create_task(
                memory.sweep_forever(self.settings.gc_sweep_seconds, self.settings.gc_full_seconds),
                name="gc sweep",
            )
        log.info("ready; %d live games resumed", resumed)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            await self._beat_once()

    async def _beat_once(self) -> None:
        """Record that the server is alive; while storage fails, this is also its probe."""
        with contextlib.suppress(Unavailable):
            await self.storage.heartbeat(self.clock())

    def _storage_changed(self) -> None:
        health = self.storage.health
        if health.ok:
            log.warning("storage works again; the games resume by themselves")
        else:
            log.error(
                "storage is failing (%s); games take no moves until it works again",
                health.reason,
            )

    async def drain(self) -> None:
        """Close every socket with 1001, stop the games, flush and close storage."""
        if self._drained:
            return
        self._drained = True
        connections = self.hub.everyone()
        for connection in connections:
            connection.close(1001, "server shutting down")
        await asyncio.gather(*(c.finished(2.0) for c in connections))
        for task in (self._heartbeat, self._sweeper):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.retention.stop()
        await self.idle.stop()
        self.refusals.stop()
        await self.sessions.shutdown()
        await self.storage.close()
        log.info("stopped cleanly")


def create_app(
    settings: Settings, clock: Callable[[], float] = time.time, storage: Storage | None = None
) -> Starlette:
    zopa = Zopa(settings, clock, storage)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await zopa.start()
        try:
            yield
        finally:
            await zopa.drain()

    web = resources.files("zopa.client_web")
    routes = [
        *ScenarioApi(zopa.library, zopa.storage, settings.facilitator_key).routes(),
        *Api(zopa.sessions, settings.facilitator_key).routes(),
        *WebApi(zopa.sessions, settings.facilitator_key).routes(),
        Mount("/", StaticFiles(directory=str(web), html=True), name="web"),
    ]
    endpoint = Endpoint(zopa.sessions, zopa.hub, zopa.limits, zopa.caps)
    middleware = [
        # Outermost, so every answer has them, the limits' refusals too.
        Middleware(SecurityHeaders),
        Middleware(
            BodyLimit,
            max_bytes=settings.max_body_bytes,
            seconds=settings.body_seconds,
            # A scenario's TOML has its own, larger limit (scenario_api.py).
            wider=dict.fromkeys(("/api/scenarios", "/api/scenarios/draft"), MAX_SCENARIO_BYTES),
        ),
        Middleware(RateLimited, limits=zopa.limits),
        Middleware(Sockets, endpoint=endpoint),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.zopa = zopa
    return app


class Sockets:
    """Hands ``/ws`` to its endpoint ahead of the router and the exception handlers.

    Every frame a socket receives resumes the endpoint through each layer it was called
    through, and every frame it sends passes the exception handlers' wrapper of
    ``send``: a share of every move's cost (docs/performance.md). For a websocket those
    layers add nothing: an error the endpoint does not handle itself still reaches the
    server-error layer above this one, and uvicorn, which closes the socket with 1011.
    """

    def __init__(self, app: ASGIApp, endpoint: ASGIApp) -> None:
        self.app = app
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and route_path(scope) == "/ws":
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)
