"""CaSiNo dialogues as zopa games.

A dialogue becomes a game on a campsite scenario built from its two participants'
priorities: three issues (food, water, firewood), each with 3 packages to divide, so
an option is how many packages go to ``mturk_agent_1`` (0-3; the rest go to
``mturk_agent_2``). Each package is worth 5, 4 or 3 points to a participant for its
high, medium and low priority item; walking away gives each 5 points (the BATNA).
Free turns, closing by accepting.

Chat lines become ``chat`` events, Submit-Deal an ``offer``, Accept-Deal an ``accept``
of the standing offer, Reject-Deal a ``reject`` of it, Walk-Away a ``walkout``. The
strategy annotations (``small-talk``, ``self-need``, ...) become notes with ``tags``
on the chat events they label, matched by text and in order, because a few
annotated dialogues skip an utterance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zopa.rules.actions import Accept, Chat, Offer, Reject, Walkout
from zopa.rules.errors import LogError, RecordError, ScenarioError
from zopa.rules.importers.script import SEED, STARTED_AT, Script, time_limit_for
from zopa.rules.log import GameLog, Header
from zopa.rules.negotiation import StandingOffer
from zopa.rules.notes import Note, make_note
from zopa.rules.scenario import Scenario, parse_scenario, valid_id

ROLES = ("mturk_agent_1", "mturk_agent_2")
ITEMS = ("Food", "Water", "Firewood")
PACKAGES = 3
UNIT_POINTS = {"High": 5, "Medium": 4, "Low": 3}
WALK_AWAY = 5
ANNOTATOR = "CaSiNo"

_SUBMIT, _ACCEPT, _REJECT, _WALK = "Submit-Deal", "Accept-Deal", "Reject-Deal", "Walk-Away"
_LABELS = {"mturk_agent_1": "Agent 1", "mturk_agent_2": "Agent 2"}
_DESCRIPTION = (
    "Two campsite neighbours divide 3 packages each of food, water and firewood. Each "
    "package is worth 5, 4 or 3 points to a participant, by whether that item is its "
    "high, medium or low priority; walking away gives each side 5 points. From the CaSiNo "
    "dataset (Chawla et al., 2021)."
)


def dialogue_name(record: Any) -> str:
    """The dialogue's id as used in file names; ``RecordError`` if it has no usable one."""
    if not isinstance(record, Mapping) or "dialogue_id" not in record:
        raise RecordError("the record has no 'dialogue_id'")
    raw = record["dialogue_id"]
    name = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if not isinstance(name, str) or not valid_id(name):
        raise RecordError(f"'dialogue_id' must be a number or a plain name (found {raw!r})")
    return name


def casino_log(record: Mapping[str, Any]) -> GameLog:
    """The game of one CaSiNo dialogue; ``RecordError`` says why a record is not one."""
    name = dialogue_name(record)
    chat_logs = _list(record, "chat_logs")
    info = record.get("participant_info")
    if not isinstance(info, Mapping) or set(info) != set(ROLES):
        raise RecordError(f"'participant_info' must describe exactly {list(ROLES)}")
    priorities = {role: _priorities(role, info[role]) for role in ROLES}
    speakers = [_speaker(turn, n) for n, turn in enumerate(chat_logs, start=1)]
    scenario = _scenario(
        name, priorities, info, speakers[0] if speakers else ROLES[0], len(speakers)
    )
    script = Script(scenario)
    chats: list[tuple[int, str]] = []  # (seq, text) of every chat event, for the annotations
    for n, (turn, by) in enumerate(zip(chat_logs, speakers, strict=True), start=1):
        text = turn.get("text")
        what = f"turn {n} ({text if text in (_SUBMIT, _ACCEPT, _REJECT, _WALK) else 'chat'})"
        standing = script.state.standing
        if text == _SUBMIT:
            script.play(Offer(by, _deal(by, turn.get("task_data"), what)), what)
        elif text == _ACCEPT:
            script.play(Accept(by, _standing(standing, what).seq), what)
        elif text == _REJECT:
            script.play(Reject(by, _standing(standing, what).seq), what)
        elif text == _WALK:
            script.play(Walkout(by), what)
        elif isinstance(text, str):
            script.play(Chat(by, text), what)
            chats.append((script.state.seq, text))
        else:
            raise RecordError(f"{what}: 'text' must be a string")
    if script.state.live:
        raise RecordError("the dialogue ends without an accepted deal or a walk-away")
    notes, unmatched = _strategy_notes(record.get("annotations", []), chats)
    source: dict[str, Any] = {
        "dataset": "casino",
        "dialogue_id": record["dialogue_id"],
        "points_scored": _outcome(info, "points_scored"),
        "satisfaction": _outcome(info, "satisfaction"),
        "opponent_likeness": _outcome(info, "opponent_likeness"),
    }
    if unmatched:
        source["unmatched_annotations"] = unmatched
    header = Header(
        game=f"casino-{name}",
        scenario=scenario,
        players={role: {"id": role, "name": _LABELS[role]} for role in ROLES},
        seed=SEED,
        started_at=STARTED_AT,
        extra={"source": source},
    )
    return GameLog(header, tuple(script.events), notes=notes)


def _list(record: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = record.get(key)
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise RecordError(f"'{key}' must be a list of objects")
    return value


def _speaker(turn: Mapping[str, Any], n: int) -> str:
    by = turn.get("id")
    if by not in ROLES:
        raise RecordError(f"turn {n}: 'id' must be one of {list(ROLES)} (found {by!r})")
    return str(by)


def _priorities(role: str, participant: Any) -> dict[str, int]:
    """Points per package of each item for ``role``, from its value2issue."""
    ranking = participant.get("value2issue") if isinstance(participant, Mapping) else None
    if (
        not isinstance(ranking, Mapping)
        or set(ranking) != set(UNIT_POINTS)
        or sorted(map(str, ranking.values())) != sorted(ITEMS)
    ):
        raise RecordError(
            f"{role}: 'value2issue' must give each of High, Medium and Low one of {list(ITEMS)}"
        )
    return {str(item): UNIT_POINTS[level] for level, item in ranking.items()}


def _scenario(
    name: str,
    priorities: Mapping[str, Mapping[str, int]],
    info: Mapping[str, Any],
    first: str,
    moves: int,
) -> Scenario:
    first_role, second_role = ROLES
    options = [
        f"{k} for {_LABELS[first_role].lower()} / {PACKAGES - k} for {_LABELS[second_role].lower()}"
        for k in range(PACKAGES + 1)
    ]
    points = {
        first_role: {
            item.lower(): [k * priorities[first_role][item] for k in range(PACKAGES + 1)]
            for item in ITEMS
        },
        second_role: {
            item.lower(): [
                (PACKAGES - k) * priorities[second_role][item] for k in range(PACKAGES + 1)
            ]
            for item in ITEMS
        },
    }
    data = {
        "format": "zopa-scenario/1",
        "id": f"casino-{name}",
        "title": "CaSiNo campsite negotiation",
        "description": _DESCRIPTION,
        "protocol": {
            "time_limit": time_limit_for(moves),
            "turns": "free",
            "first_mover": first,
            "closing": "accept",
            "breaks": 0,
            "extensions": 0,
        },
        "issues": [{"id": item.lower(), "label": item, "options": options} for item in ITEMS],
        "roles": [
            {
                "id": role,
                "label": _LABELS[role],
                "brief": _brief(info[role]),
                "batna": WALK_AWAY,
                "points": points[role],
            }
            for role in ROLES
        ],
    }
    try:
        return parse_scenario(data, f"casino dialogue {name}")
    except ScenarioError as exc:
        raise RecordError(f"its scenario is not valid: {exc}") from exc


def _brief(participant: Mapping[str, Any]) -> str:
    """The participant's own priorities and reasons, as the dataset gave them to it."""
    ranking = participant["value2issue"]
    reasons = participant.get("value2reason")
    lines = []
    for level in UNIT_POINTS:
        item = ranking[level]
        line = f"{level} priority: {item} ({UNIT_POINTS[level]} points a package)."
        if isinstance(reasons, Mapping) and isinstance(reasons.get(level), str):
            line += f" {reasons[level].strip()}"
        lines.append(line)
    return "\n".join(lines)


def _deal(by: str, task_data: Any, what: str) -> dict[str, int]:
    """Submit-Deal's packages as terms: how many of each item go to mturk_agent_1."""
    if not isinstance(task_data, Mapping):
        raise RecordError(f"{what}: 'task_data' must be an object")
    mine, theirs = task_data.get("issue2youget"), task_data.get("issue2theyget")
    if not isinstance(mine, Mapping) or not isinstance(theirs, Mapping):
        raise RecordError(f"{what}: needs 'issue2youget' and 'issue2theyget'")
    terms: dict[str, int] = {}
    for item in ITEMS:
        you, they = _count(mine.get(item), what, item), _count(theirs.get(item), what, item)
        if you + they != PACKAGES:
            raise RecordError(f"{what}: {item} splits {you} + {they}, not the {PACKAGES} there are")
        terms[item.lower()] = you if by == ROLES[0] else they
    return terms


def _count(value: Any, what: str, item: str) -> int:
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isdigit() or int(text) > PACKAGES:
        raise RecordError(f"{what}: {item} must be a count from 0 to {PACKAGES} (found {value!r})")
    return int(text)


def _standing(standing: StandingOffer | None, what: str) -> StandingOffer:
    if standing is None:
        raise RecordError(f"{what}: there is no deal on the table to answer")
    return standing


def _strategy_notes(raw: Any, chats: list[tuple[int, str]]) -> tuple[tuple[Note, ...], int]:
    """Notes carrying each annotated utterance's strategy labels; and how many found no chat."""
    if not isinstance(raw, list):
        raise RecordError("'annotations' must be a list of [utterance, labels]")
    notes: list[Note] = []
    unmatched = 0
    at = 0
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise RecordError("'annotations' must be a list of [utterance, labels]")
        text, labels = item
        tags = tuple(label.strip() for label in labels.split(",") if label.strip())
        found = next((n for n in range(at, len(chats)) if chats[n][1] == text), None)
        if found is None:
            unmatched += 1
            continue
        at = found + 1
        if tags:
            try:
                notes.append(make_note(chats[found][0], author=ANNOTATOR, tags=tags))
            except LogError as exc:
                raise RecordError(f"the annotation of {text!r}: {exc}") from exc
    return tuple(notes), unmatched


def _outcome(info: Mapping[str, Any], key: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for role in ROLES:
        outcomes = info[role].get("outcomes") if isinstance(info[role], Mapping) else None
        if isinstance(outcomes, Mapping) and key in outcomes:
            result[role] = outcomes[key]
    return result
