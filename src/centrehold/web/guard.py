"""Who may talk to the dashboard: the Host header and, beyond loopback, a token.

A web page on any site can make a browser send requests to 127.0.0.1 once its own
domain is rebound to that address (DNS rebinding); the browser then believes the
dashboard is part of that site. The Host header still carries the site's name, so a
server that answers only to the names it was started under cannot be reached that way.
Bound beyond loopback, anyone on the network can reach the port, so a token is needed
as well: sent as a header, as `?token=` (which sets a cookie, so the page's own requests
and its links carry it) or as that cookie.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.responses import JSONResponse

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
COOKIE = "centrehold_token"


def is_loopback(bind: str) -> bool:
    """True when only this machine can reach an address bound to `bind`."""
    name = bind.strip("[]").lower()
    if name in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names the server answers to: loopback, the bound address and any extra names;
    a wildcard bind adds this machine's own names (its addresses are added by the caller)."""
    names = set(LOOPBACK_NAMES) | {h.strip("[]").lower().rstrip(".") for h in extra if h}
    bind = bind.strip("[]").lower()
    if bind in WILDCARD_BINDS:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    else:
        names.add(bind)
    return frozenset(names)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def host_name(header: str) -> str:
    """'[::1]:8000' -> '::1'; 'Example.org.:80' -> 'example.org'."""
    h = header.strip().lower()
    if h.startswith("["):
        return h[1:].split("]", 1)[0]
    if h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h.rstrip(".")


def _refuse(status: int, detail: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail})


class Guard:
    """ASGI middleware: 421 for a Host the server was not started under; 401 without the
    token when one is set."""

    def __init__(self, app, hosts: frozenset[str], token: str | None = None) -> None:
        self.app = app
        self.hosts = hosts
        self.token = token

    def _presented(self, scope) -> tuple[str | None, bool]:
        """(token found, whether it came from the query string)."""
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip(), False
        if b"x-centrehold-token" in headers:
            return headers[b"x-centrehold-token"].decode("latin-1").strip(), False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return query["token"][0], True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # a malformed cookie header is the same as none
            return None, False
        return (cookie[COOKIE].value if COOKIE in cookie else None), False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        host = host_name(raw)
        if host not in self.hosts:
            shown = (raw[:60] + "...") if len(raw) > 60 else raw
            return await _refuse(421, f"host {shown!r} is not served here: open the dashboard "
                                      "at the address `centrehold serve` printed, or start it "
                                      "with --allow-host NAME")(scope, receive, send)
        if self.token is None:
            return await self.app(scope, receive, send)
        given, from_query = self._presented(scope)
        if given is None or not secrets.compare_digest(given.encode(), self.token.encode()):
            return await _refuse(401, "this dashboard needs its token: open the address "
                                      "`centrehold serve` printed (it ends in ?token=...), or "
                                      "send the header 'Authorization: Bearer TOKEN'"
                                 )(scope, receive, send)
        if not from_query:
            return await self.app(scope, receive, send)

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", cookie.encode())]}
            await send(message)

        return await self.app(scope, receive, send_with_cookie)
