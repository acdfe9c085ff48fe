"""The agent API: helpers that build moves, loading agents by reference, and the guard
that refuses bad moves and forfeits an agent that raises or overruns, in process."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from zopa.rules.actions import Accept, Chat, Claim, Offer, Pause, Request, Walkout
from zopa.rules.bots import STRATEGIES, seen_by
from zopa.rules.bots.agent import (
    accept,
    best_terms,
    check_move,
    offer,
    points,
    reject,
    say,
    terms_worth,
    their_offer,
    time_used,
    walk_out,
)
from zopa.rules.bots.match import play_match
from zopa.rules.library import builtin
from zopa.rules.negotiation import apply, start
from zopa.server.agent_guard import Forfeit, guarded, per_game, watchdog
from zopa.server.agent_loader import AgentError, load_agent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_helpers_build_moves_the_rules_take() -> None:
    scenario = builtin("guitar")
    seller, buyer = scenario.role_ids
    state = start(scenario, 3, 0.0)
    first = state.turn
    assert first is not None
    other = buyer if first == seller else seller
    seen = seen_by(state, first, [], 10.0)
    assert their_offer(seen) is None and accept(seen) is None and reject(seen) is None
    assert time_used(seen) == pytest.approx(10 / scenario.protocol.time_limit)
    best = best_terms(seen)
    assert points(seen, best) == seen.card.best
    # The cheapest terms worth at least x: at least x, and nothing cheaper reaches it.
    ask = (seen.card.best + seen.card.batna) / 2
    terms = terms_worth(seen, ask)
    worths = sorted(seen.card.value((o,)) for o in range(len(scenario.issues[0].options)))
    assert points(seen, terms) == min(w for w in worths if w >= ask)
    move = offer(seen, terms)
    assert move == Offer(first, terms, False) and check_move(move, first) is None
    state, events = apply(state, move, 10.0)
    theirs = seen_by(state, other, events, 11.0)
    assert their_offer(theirs) == terms
    assert accept(theirs) == Accept(other, events[0].seq)
    assert say(theirs, "hello") == Chat(other, "hello") and walk_out(theirs) == Walkout(other)
    apply(state, accept(theirs), 11.0)  # type: ignore[arg-type]


def test_accepting_in_a_game_that_closes_by_claims_is_a_claim() -> None:
    scenario = builtin("moving-out")
    ada, ben = scenario.role_ids
    state = start(scenario, 1, 0.0)
    seen = seen_by(state, ada, [], 1.0)
    state, events = apply(state, offer(seen, best_terms(seen)), 1.0)
    theirs = seen_by(state, ben, events, 2.0)
    assert accept(theirs) == Claim(ben, their_offer(theirs))


@pytest.mark.parametrize(
    ("move", "why"),
    [
        (Offer("buyer", {"price": 1}), "not for its own role"),
        (Pause(), "not a move"),
        ("offer", "not a move"),
        (Offer("seller", {"price": 1.5}), "option index"),  # type: ignore[dict-item]
        (Offer("seller", {"price": True}), "option index"),
        (Offer("seller", [1]), "not a well-formed offer"),  # type: ignore[arg-type]
        (Chat("seller", ""), "empty"),
        (Accept("seller", "3"), "whole number"),  # type: ignore[arg-type]
    ],
)
def test_a_move_no_player_could_send_is_refused(move: Any, why: str) -> None:
    problem = check_move(move, "seller")
    assert problem is not None and why in problem


def test_every_move_a_player_could_send_passes() -> None:
    for move in (
        Offer("seller", {"price": 2}, True),
        Accept("seller", 4),
        Claim("seller", None),
        Request("seller", "break_request"),
        Chat("seller", "fine"),
    ):
        assert check_move(move, "seller") is None


# -- loading ---------------------------------------------------------------------------

AGENT = """
    from zopa.rules.bots.agent import offer, best_terms

    class Greedy:
        name = "greedy"
        made = 0

        def __init__(self):
            Greedy.made += 1
            self.moves = 0  # per game: a new Greedy plays each game

        def decide(self, seen):
            self.moves += 1
            assert self.moves < 10_000
            return offer(seen, best_terms(seen)) if seen.may_offer and self.moves < 3 else None

    SHARED = Greedy()

    def not_an_agent():
        return 42
"""


def test_a_file_reference_makes_a_fresh_agent_per_call(tmp_path: Path) -> None:
    path = write(tmp_path, "greedy.py", AGENT)
    entrant = load_agent(f"{path}:Greedy")
    assert entrant.name == "greedy" and not entrant.builtin
    one, two = entrant.make(), entrant.make()
    assert one is not two and type(one).__name__ == "Greedy"
    shared = load_agent(f"{path}:SHARED")
    assert shared.make() is shared.make()
    # The same file loaded again is the same module: its classes stay the same.
    assert type(load_agent(f"{path}:Greedy").make()) is type(one)


def test_a_module_reference_and_a_built_in_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "class_agents_22.py", AGENT)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_agent("class_agents_22:Greedy").name == "greedy"
    built_in = load_agent("boulware")
    assert built_in.builtin and built_in.make() is STRATEGIES["boulware"]


@pytest.mark.parametrize(
    ("reference", "said"),
    [
        ("genius", "no strategy 'genius'; there are: conceder"),
        ("{tmp}/missing.py:Greedy", "no file"),
        ("{tmp}/greedy.py:Nobody", "has no 'Nobody'"),
        ("{tmp}/greedy.py:not_an_agent", "made a int, which is not an agent"),
        ("{tmp}/broken.py:Broken", "SyntaxError"),
        ("{tmp}/raising.py:Raising", "ZeroDivisionError: division by zero (raising.py:5)"),
        ("no_such_module_22:Agent", "no module no_such_module_22"),
        ("{tmp}/greedy.py:Greedy.made", "names a int"),
    ],
)
def test_a_reference_that_cannot_be_loaded_says_which_and_why(
    tmp_path: Path, reference: str, said: str
) -> None:
    write(tmp_path, "greedy.py", AGENT)
    write(tmp_path, "broken.py", "class Broken(:\n    pass\n")
    raising = """
        class Raising:
            name = "raising"
            def __init__(self):
                1 / 0
    """
    write(tmp_path, "raising.py", raising)
    reference = reference.format(tmp=tmp_path)
    with pytest.raises(AgentError) as caught:
        load_agent(reference)
    assert said in caught.value.message
    if reference != "genius":
        assert reference in caught.value.message


# -- the guard ---------------------------------------------------------------------------


class Raises:
    name = "raises"

    def decide(self, seen: Any) -> None:
        if seen.now >= 5:
            raise KeyError("oops")


class Sleeps:
    name = "sleeps"

    def decide(self, seen: Any) -> None:
        if seen.now >= 5:
            # Past its limit by far: a deadline, not a timing the machine's load can flake.
            while True:
                pass


class Cheats:
    """Moves for the other side, pauses the game and offers options that do not exist."""

    name = "cheats"

    def decide(self, seen: Any) -> Any:
        return [
            Offer(seen.other, {"price": 0}),
            Pause(),
            Offer(seen.role, {"price": 99}),
            None,
        ][int(seen.now) % 4]


def test_an_agent_that_raises_forfeits_with_the_reason() -> None:
    scenario = builtin("guitar")
    seller, buyer = scenario.role_ids
    bots = {seller: guarded(Raises(), seller), buyer: STRATEGIES["conceder"]}
    with pytest.raises(Forfeit) as caught:
        play_match(scenario, bots, 1)
    assert caught.value.role == seller
    assert caught.value.reason.startswith("error in decide: KeyError: 'oops' (test_agents.py:")


def test_an_agent_that_never_returns_is_stopped_and_forfeits() -> None:
    scenario = builtin("guitar")
    seller, buyer = scenario.role_ids
    bots = {seller: STRATEGIES["linear"], buyer: guarded(Sleeps(), buyer, 0.2)}
    with watchdog(0.2), pytest.raises(Forfeit) as caught:
        play_match(scenario, bots, 1)
    assert caught.value.role == buyer
    assert caught.value.reason.startswith("overran: decide took ")
    assert caught.value.reason.endswith("(limit 0.2 s)")


def test_moves_no_player_could_send_are_refused_and_counted() -> None:
    scenario = builtin("guitar")
    seller, buyer = scenario.role_ids
    cheat = guarded(Cheats(), seller)
    match = play_match(scenario, {seller: cheat, buyer: STRATEGIES["boulware"]}, 2)
    assert match.state.ending is not None
    # Only the buyer's own moves are in the game: nothing for it, no pause.
    assert all(e.by in (buyer, None) for e in match.events)
    assert all(e.type != "pause" for e in match.events)
    assert cheat.refused > 10
    # An option that does not exist is the rules' refusal, counted per side.
    assert match.refused_by[0] > 5 and match.refused_by[1] == 0


def test_outside_a_tournament_a_faulty_agent_walks_out_of_that_game_only() -> None:
    scenario = builtin("guitar")
    seller, buyer = scenario.role_ids
    faults: list[str] = []
    agent = per_game("raises", Raises, on_fault=faults.append)
    for seed in (1, 2):
        match = play_match(scenario, {seller: agent, buyer: STRATEGIES["conceder"]}, seed)
        assert match.state.ending is not None and match.state.ending.reason == "walkout"
        assert match.events[-2].type == "walkout" and match.events[-2].by == seller
    assert len(faults) == 2 and all("KeyError" in f for f in faults)


def test_a_file_loaded_strategy_plays_the_built_in_games_event_for_event(tmp_path: Path) -> None:
    # Loaded from a file and guarded, a strategy keeps its plan and its promises: the
    # same games, asked as rarely.
    path = write(
        tmp_path,
        "tough.py",
        """
        from zopa.rules.bots.conceder import TimeConceder

        def Tough():
            return TimeConceder("tough", e=0.2, manner="firm")
        """,
    )
    entrant = load_agent(f"{path}:Tough")
    for name in ("guitar", "new-hire", "moving-out"):
        scenario = builtin(name)
        first, second = scenario.role_ids
        other = STRATEGIES["tit-for-tat"]
        for seed in range(3):
            built_in = play_match(scenario, {first: STRATEGIES["boulware"], second: other}, seed)
            loaded = guarded(entrant.make(), first)
            from_file = play_match(scenario, {first: loaded, second: other}, seed)
            assert from_file.events == built_in.events
