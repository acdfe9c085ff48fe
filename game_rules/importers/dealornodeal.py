"""Deal or No Deal lines as zopa games.

A line is one dialogue from one side's point of view::

    <input> 1 4 4 1 1 2 </input> <dialogue> THEM: ... <eos> YOU: ... <eos> THEM: <selection>
    </dialogue> <output> item0=1 item1=0 item2=1 item0=0 item1=4 item2=0 </output>
    <partner_input> 1 0 4 2 1 2 </partner_input>

``<input>`` holds, for books, hats and balls, the count and this side's value of one;
``<partner_input>`` the same for the other side. It becomes a game between ``you`` and
``them`` on a scenario with one issue per item whose option is how many ``you`` takes
(the rest go to ``them``), worth count times value; no deal is worth 0 to both. Free
turns, closing by claims: each utterance is a ``chat``, then the two sides' selections
are their claims, the side that wrote ``<selection>`` first.

``<output>`` holds both selections when they were recorded: the first three counts are
what ``you`` selected for itself, the last three what ``them`` selected for itself. They
are the claims, so they match (an agreement) exactly when they divide every item.
``<disagree>`` (selections that did not match, not kept in the line) and
``<no_agreement>`` (a side chose "no agreement") become two claims of no deal, which
never match; ``<disconnect>`` (a side left) becomes an ``abort``. All three are impasses
worth 0.
"""

from __future__ import annotations

import re
from typing import Any

from zopa.rules.actions import Abort, Chat, Claim
from zopa.rules.errors import RecordError, ScenarioError
from zopa.rules.importers.script import SEED, STARTED_AT, Script, time_limit_for
from zopa.rules.log import GameLog, Header
from zopa.rules.scenario import Scenario, parse_scenario, valid_id

ROLES = ("you", "them")
ITEMS = ("book", "hat", "ball")
NO_DEAL_OUTPUTS = ("<disagree>", "<no_agreement>")
DISCONNECT = "<disconnect>"

_LINE = re.compile(
    r"^<input> (?P<input>[^<]*) </input> <dialogue> (?P<dialogue>.*) </dialogue> "
    r"<output> (?P<output>.*) </output> <partner_input> (?P<partner>[^<]*) </partner_input>$"
)
_CHOICE = re.compile(r"^item(?P<item>[0-2])=(?P<count>\d+)$")
_SPEAKERS = {"YOU:": "you", "THEM:": "them"}
_LABELS = {"you": "You", "them": "Them"}
_DESCRIPTION = (
    "Divide some books, hats and balls. Each side values the items differently and "
    "privately; a division both agree on gives each side the value of its share, no deal "
    "gives both 0. At the end each side selects, without seeing the other's selection, the "
    "division it believes was agreed. From the Deal or No Deal dataset (Lewis et al., 2017)."
)


def dond_log(line: str, number: int, source: str = "") -> GameLog:
    """The game of line ``number`` (from 1) of a file named ``source``."""
    match = _LINE.match(line.strip())
    if match is None:
        raise RecordError(
            "expected <input> ... </input> <dialogue> ... </dialogue> <output> ... </output> "
            "<partner_input> ... </partner_input>"
        )
    counts, mine = _values(match["input"], "<input>")
    partner_counts, theirs = _values(match["partner"], "<partner_input>")
    if counts != partner_counts:
        raise RecordError(
            f"<input> counts {counts} and <partner_input> counts {partner_counts} differ"
        )
    turns, selector = _dialogue(match["dialogue"])
    output = match["output"].split()
    name = _game_name(source, number)
    scenario = _scenario(
        name, counts, mine, theirs, turns[0][0] if turns else selector, len(turns) + 2
    )
    script = Script(scenario)
    for n, (by, text) in enumerate(turns, start=1):
        script.play(Chat(by, text), f"utterance {n}")
    outcome = _play_selections(script, output, counts, selector)
    header = Header(
        game=name,
        scenario=scenario,
        players={role: {"id": role, "name": _LABELS[role]} for role in ROLES},
        seed=SEED,
        started_at=STARTED_AT,
        extra={
            "source": {
                "dataset": "dealornodeal",
                "file": source,
                "line": number,
                "output": outcome,
            }
        },
    )
    return GameLog(header, tuple(script.events))


def _game_name(source: str, number: int) -> str:
    stem = source.rsplit("/", 1)[-1].removesuffix(".txt")
    stem = re.sub(r"[^A-Za-z0-9_.-]", "-", stem)
    name = f"dealornodeal-{stem}-L{number}" if stem else f"dealornodeal-L{number}"
    return name if valid_id(name) else f"dealornodeal-L{number}"


def _values(text: str, where: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(counts, values per item) from six whole numbers."""
    parts = text.split()
    if len(parts) != 2 * len(ITEMS) or not all(p.isdigit() for p in parts):
        raise RecordError(f"{where} must be {2 * len(ITEMS)} whole numbers (found {text!r})")
    numbers = [int(p) for p in parts]
    counts, values = tuple(numbers[0::2]), tuple(numbers[1::2])
    if min(counts) < 1:
        # An item nobody can divide has one option, and an issue needs two.
        raise RecordError(f"{where}: every item needs a count of at least 1 (found {counts})")
    return counts, values


def _dialogue(text: str) -> tuple[list[tuple[str, str]], str]:
    """The utterances (speaker, text) and the side that opened the selection."""
    segments = [s.strip() for s in text.split("<eos>")]
    *said, closing = segments
    turns: list[tuple[str, str]] = []
    for n, segment in enumerate(said, start=1):
        speaker, _, words = segment.partition(" ")
        if speaker not in _SPEAKERS or not words.strip():
            raise RecordError(
                f"utterance {n} must be 'YOU: text' or 'THEM: text' (found {segment!r})"
            )
        turns.append((_SPEAKERS[speaker], words.strip()))
    speaker, _, marker = closing.partition(" ")
    if speaker not in _SPEAKERS or marker.strip() != "<selection>":
        raise RecordError(
            "the dialogue must end with 'YOU: <selection>' or 'THEM: <selection>' "
            f"(found {closing!r})"
        )
    return turns, _SPEAKERS[speaker]


def _scenario(
    name: str,
    counts: tuple[int, ...],
    mine: tuple[int, ...],
    theirs: tuple[int, ...],
    first: str,
    moves: int,
) -> Scenario:
    issues = []
    you_points: dict[str, list[int]] = {}
    them_points: dict[str, list[int]] = {}
    for item, count, value, other in zip(ITEMS, counts, mine, theirs, strict=True):
        issues.append(
            {
                "id": item,
                "label": f"{item.title()}s ({count})",
                "options": [f"{k} for you / {count - k} for them" for k in range(count + 1)],
            }
        )
        you_points[item] = [k * value for k in range(count + 1)]
        them_points[item] = [(count - k) * other for k in range(count + 1)]
    data: dict[str, Any] = {
        "format": "zopa-scenario/1",
        "id": name,
        "title": "Deal or No Deal",
        "description": _DESCRIPTION,
        "protocol": {
            "time_limit": time_limit_for(moves),
            "turns": "free",
            "first_mover": first,
            "closing": "claims",
            "breaks": 0,
            "extensions": 0,
        },
        "issues": issues,
        "roles": [
            {"id": "you", "label": "You", "batna": 0, "points": you_points},
            {"id": "them", "label": "Them", "batna": 0, "points": them_points},
        ],
    }
    try:
        return parse_scenario(data, name)
    except ScenarioError as exc:
        raise RecordError(f"its scenario is not valid: {exc}") from exc


def _play_selections(
    script: Script, output: list[str], counts: tuple[int, ...], selector: str
) -> str:
    """Play the end of the dialogue; returns how the dataset labels it."""
    other = ROLES[1] if selector == ROLES[0] else ROLES[0]
    if len(output) == 2 * len(ITEMS) and len(set(output)) == 1 and output[0] in NO_DEAL_OUTPUTS:
        for role in (selector, other):
            script.play(Claim(role, None), f"{role}'s selection")
        return output[0]
    if len(output) == 2 * len(ITEMS) and len(set(output)) == 1 and output[0] == DISCONNECT:
        script.play(Abort(), "the disconnection")
        return DISCONNECT
    taken = _selections(output)
    claims = {
        "you": {item: taken[n] for n, item in enumerate(ITEMS)},
        # Them selected what it takes; as terms, that is what is left for you.
        "them": {
            item: count - taken[n + len(ITEMS)]
            for n, (item, count) in enumerate(zip(ITEMS, counts, strict=True))
        },
    }
    for n, item in enumerate(ITEMS):
        for role, took in (("you", taken[n]), ("them", taken[n + len(ITEMS)])):
            if took > counts[n]:
                raise RecordError(f"{role} selected {took} {item}s of the {counts[n]} there are")
    for role in (selector, other):
        script.play(Claim(role, claims[role]), f"{role}'s selection")
    return "selections"


def _selections(output: list[str]) -> list[int]:
    """The six counts of <output>: item0..item2 for you, then item0..item2 for them."""
    expected = [f"item{n}" for n in range(len(ITEMS))] * 2
    if len(output) != len(expected):
        raise RecordError(f"<output> must hold {len(expected)} selections (found {len(output)})")
    counts = []
    for token, name in zip(output, expected, strict=True):
        choice = _CHOICE.match(token)
        if choice is None or f"item{choice['item']}" != name:
            raise RecordError(
                f"<output> must be item0=N item1=N item2=N twice, or six of <disagree>, "
                f"<no_agreement> or <disconnect> (found {' '.join(output)!r})"
            )
        counts.append(int(choice["count"]))
    return counts
