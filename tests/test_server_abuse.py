"""Bad input and abuse: each gets its documented answer and never disturbs other games.

A real game runs beside the whole catalogue and must finish exactly as it would alone.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack
import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.live import Client, Player, Server
from tests.test_server_game import paired


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    live = Server(
        tmp_path_factory.mktemp("abuse") / "zopa.db", ZOPA_HELLO_SECONDS="1", ZOPA_RATE="20"
    )
    live.start()
    yield live
    live.stop()


async def closed_with(client: Client, timeout: float = 5.0) -> int:
    """Read until the server closes the socket; the close code it sent."""
    try:
        while True:
            await client.next(timeout)
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None, "the server closed without a close frame"
        return closed.rcvd.code


async def still_open(client: Client) -> None:
    await client.send({"type": "ping"})
    assert (await client.type("pong"))["type"] == "pong"


async def hello(server: Server, token: str, binary: bool = False) -> Client:
    client = await Client.open(server, binary)
    await client.send({"type": "hello", "token": token})
    await client.type("welcome")
    return client


# (what is sent after a good hello, the error code answered; the socket stays open)
ANSWERED: list[tuple[str, str | dict[str, Any], str]] = [
    ("malformed JSON", "{not json", "bad_message"),
    ("a JSON array", "[1, 2]", "bad_message"),
    ("no type", {"terms": {}}, "bad_message"),
    ("unknown type", {"type": "teleport"}, "bad_message"),
    ("a system action", {"type": "abort"}, "bad_message"),
    ("terms not an object", {"type": "offer", "terms": "all of it"}, "bad_message"),
    ("offer seq not a number", {"type": "accept", "offer": "1"}, "bad_message"),
    ("chat too long", {"type": "chat", "text": "x" * 2001}, "bad_message"),
]


async def test_bad_input_is_answered_or_closed_while_a_game_runs(shared: Server) -> None:
    code, players, _ = await paired(shared, "guitar")
    outsider = await Player(shared, code, "Mallory").join()

    # Answered with an error; the socket stays open.
    client = await hello(shared, outsider.token)
    await client.send({"type": "offer", "terms": {"price": 3}})
    assert (await client.type("error"))["code"] == "not_in_game"
    for _name, frame, wanted in ANSWERED:
        await client.socket.send(frame if isinstance(frame, str) else json.dumps(frame))
        assert (await client.type("error"))["code"] == wanted
    await still_open(client)
    packed = await hello(shared, outsider.token, binary=True)
    await packed.socket.send(b"\xc1\xc1")
    assert (await packed.type("error"))["code"] == "bad_message"
    await still_open(packed)

    # An action for a game the player is not in.
    mover_role = players["seller"].c.received[-1]["turn"]
    game = players["seller"].c.received[-1]["game"]
    await client.send({"type": "offer", "game": game, "terms": {"price": 3}})
    assert (await client.type("error"))["code"] == "not_in_game"

    # Closed with the documented code.
    closes: list[tuple[str, int, int]] = []
    sock = await hello(shared, outsider.token)
    await sock.socket.send(b"binary on a JSON socket")
    closes.append(("binary on JSON", await closed_with(sock), 1003))
    sock = await hello(shared, outsider.token, binary=True)
    await sock.socket.send('{"type": "ping"}')
    closes.append(("text on MessagePack", await closed_with(sock), 1003))
    sock = await hello(shared, outsider.token)
    await sock.socket.send(json.dumps({"type": "chat", "text": "x" * 40_000}))
    closes.append(("oversized frame", await closed_with(sock), 1009))
    sock = await hello(shared, outsider.token)
    for _ in range(200):
        await sock.send({"type": "ping"})
    closes.append(("flood", await closed_with(sock), 4429))
    openers: list[tuple[str, dict[str, Any], int]] = [
        ("wrong token", {"type": "hello", "token": "guess"}, 4401),
        ("missing token", {"type": "hello"}, 4401),
        ("wrong facilitator key", {"type": "hello", "key": "guess", "session": code}, 4401),
        ("not a hello", {"type": "offer", "terms": {"price": 1}}, 4400),
        ("bad since", {"type": "hello", "token": outsider.token, "since": "x"}, 4400),
    ]
    for name, first, close_code in openers:
        sock = await Client.open(shared)
        await sock.send(first)
        closes.append((name, await closed_with(sock), close_code))
    silent = await Client.open(shared)
    closes.append(("no hello in time", await closed_with(silent), 4408))
    assert [(n, got) for n, got, _ in closes] == [(n, wanted) for n, _, wanted in closes]

    # The game beside all this finishes exactly as it would alone.
    mover = players[mover_role]
    other = players["buyer" if mover_role == "seller" else "seller"]
    await mover.send({"type": "offer", "terms": {"price": 10}})
    await other.send({"type": "accept", "offer": 1})
    for player in (mover, other):
        ended = await player.c.type("ended")
        assert ended["result"]["points"] == {"seller": 500, "buyer": 300}
    assert [m["seq"] for m in mover.c.received if m["type"] == "event"] == [1, 2, 3]


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
keys = st.sampled_from(["type", "terms", "offer", "text", "final", "since", "game", "token"])
kinds = st.sampled_from(["offer", "accept", "chat", "walkout", "hello", "claim", "reveal", "ping"])
# ("raw", text or bytes sent as is) or ("message", a dict encoded as the socket speaks)
frames = st.one_of(
    st.tuples(st.just("raw"), st.text(max_size=200) | st.binary(max_size=200)),
    st.tuples(st.just("message"), st.dictionaries(keys, values)),
    st.tuples(
        st.just("message"),
        st.fixed_dictionaries({"type": kinds}, optional={"terms": values, "offer": values}),
    ),
)


def test_random_frames_never_break_the_server_or_the_game_beside_them(shared: Server) -> None:
    """Hypothesis streams random frames at the server while a real game waits beside them."""

    async def open_game() -> tuple[str, dict[str, tuple[str, int]]]:
        _, players, _ = await paired(shared, "guitar")
        mover_role = players["seller"].c.received[-1]["turn"]
        await players[mover_role].send({"type": "offer", "terms": {"price": 6}})
        for player in players.values():
            await player.event("offer")
            await player.c.close()
        return mover_role, {r: (p.token, p.last_seq) for r, p in players.items()}

    mover_role, seats = asyncio.run(open_game())

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(stream=st.lists(frames, min_size=1, max_size=8), binary=st.booleans())
    def fuzz(stream: list[tuple[str, Any]], binary: bool) -> None:
        async def run() -> None:
            code = (await shared.acall("POST", "/api/sessions", {"scenario": "guitar"}))["code"]
            player = await Player(shared, code, "Fuzz", binary).join()
            await player.connect()
            for how, content in stream:
                frame = content
                if how == "message":
                    frame = msgpack.packb(content) if binary else json.dumps(content)
                try:
                    await player.c.socket.send(frame)
                except websockets.ConnectionClosed:
                    break
            # Whatever happened to that socket, the server still serves a new one.
            fresh = await hello(shared, player.token, binary)
            await still_open(fresh)
            await fresh.close()

        asyncio.run(run())

    fuzz()
    assert shared.call("GET", "/healthz")[0] == 200

    async def finish_game() -> None:
        players = {}
        for role, (token, seq) in seats.items():
            player = Player(shared, "", role)
            player.token, player.last_seq = token, seq
            await player.connect(since=seq)
            players[role] = player
        other = "buyer" if mover_role == "seller" else "seller"
        await players[other].send({"type": "accept", "offer": 1})
        for player in players.values():
            await player.event("accept")
            await player.event("end")
            ended = await player.c.type("ended")
            assert ended["result"]["points"] == {"seller": 300, "buyer": 500}

    asyncio.run(finish_game())


async def test_the_server_log_names_what_it_refused(shared: Server, tmp_path: Path) -> None:
    sock = await Client.open(shared)
    await sock.send({"type": "hello", "token": "nope"})
    await closed_with(sock)
    assert "hello with an unknown token" in shared.log.read_text()
