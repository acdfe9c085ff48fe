"""Security headers on every HTTP answer the app gives: pages, files and the API.

- ``Content-Security-Policy``: scripts, styles, images and connections from this
  server only, no inline script or style, no plugins, and no page of ours inside
  another site's frame (``frame-ancestors 'none'``: the facilitator page holds the key).
  ``blob:`` images are the QR code, which the page fetches with the key and shows.
- ``X-Content-Type-Options: nosniff``: a file is what its type says, never run as script.
- ``X-Frame-Options: DENY``: ``frame-ancestors`` for browsers that predate it.
- ``Referrer-Policy: no-referrer``: a join code in an address goes nowhere else.
- ``Cross-Origin-Opener-Policy: same-origin``: a page we open cannot reach back to us.

deploy/nginx/zopa.conf sends the same on the files nginx serves itself
(tests/test_deploy_nginx.py holds the two equal).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS: dict[str, str] = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_ENCODED = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *_ENCODED]
            await send(message)

        await self.app(scope, receive, with_headers)
