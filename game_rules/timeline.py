"""A game's events told as a readable timeline: time, who, what, and each offer's points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zopa.rules.events import Event
from zopa.rules.scenario import Points, Scenario


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    seconds: float  # since the game started
    who: str  # a role id, or "" for the server
    what: str
    points: dict[str, Points] | None  # both sides' points, for offers, claims and the end


def timeline(scenario: Scenario, started_at: float, events: tuple[Event, ...]) -> list[Entry]:
    return [
        Entry(e.seq, e.at - started_at, e.by or "", describe(scenario, e), points_of(scenario, e))
        for e in events
    ]


def points_of(scenario: Scenario, event: Event) -> dict[str, Points] | None:
    terms = event.data.get("terms")
    if event.type in ("offer", "claim", "end") and isinstance(terms, dict):
        return {r: scenario.points(r, terms) for r in scenario.role_ids}
    return None


def num(value: Points) -> str:
    """Points as people write them: a whole float without ".0", so 1500.0 reads as 1500."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe_terms(scenario: Scenario, terms: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{issue.label}: {issue.options[terms[issue.id]]}"
        for issue in scenario.issues
        if issue.id in terms
    )


def _plan_words(scenario: Scenario, plan: Mapping[str, Any]) -> str:
    labels = {i.id: i.label for i in scenario.issues}
    parts = []
    if plan.get("target") is not None:
        parts.append(f"target {num(plan['target'])}")
    if plan.get("walkaway") is not None:
        parts.append(f"walk-away {num(plan['walkaway'])}")
    if plan.get("priorities"):
        parts.append("order " + " > ".join(labels.get(i, i) for i in plan["priorities"]))
    return ", ".join(parts)


def describe(scenario: Scenario, event: Event) -> str:
    d = event.data
    match event.type:
        case "offer":
            final = "FINAL offer" if d.get("final") else "offer"
            return f"{final}: {describe_terms(scenario, d['terms'])}"
        case "suggest":
            return f"suggests (not binding): {describe_terms(scenario, d['terms'])}"
        case "accept":
            return f"accepts offer {d['offer']}"
        case "reject":
            return f"rejects offer {d['offer']}"
        case "chat":
            return f"says: {d['text']}"
        case "reveal" if d.get("about") == "batna":
            return f"states: my BATNA is {d['value']}"
        case "reveal":
            issue = next(
                (i.label for i in scenario.issues if i.id == d.get("issue")), d.get("issue")
            )
            return f"states: {issue} is my priority number {d.get('rank')}"
        case "claim" if "terms" not in d:
            return "submits a sealed claim"
        case "claim" if d["terms"] is None:
            return "claims no deal (no terms)"
        case "claim":
            return f"claims: {describe_terms(scenario, d['terms'])}"
        case "estimate" if "issue" not in d and "batna" not in d:
            return "writes down a sealed estimate of the other side"
        case "estimate":
            guesses = []
            if d.get("batna") is not None:
                guesses.append(f"their BATNA is {num(d['batna'])}")
            if d.get("issue") is not None:
                label = next((i.label for i in scenario.issues if i.id == d["issue"]), d["issue"])
                guesses.append(f"{label} matters most to them")
            return "estimates (sealed): " + " and ".join(guesses)
        case "walkout" if d.get("reason"):
            return f"walks out: {d['reason']!r}"
        case "walkout":
            return "walks out"
        case "timeout" if d.get("what") == "reading":
            return "the reading time is over: the negotiation clock starts"
        case "timeout" if d.get("what") == "walkout":
            return "the walkout's window closes: the walkout stands"
        case "timeout":
            return "the break is over" if d.get("what") == "break" else "time is up"
        case "ready":
            return "is ready to negotiate"
        case "plan" if "priorities" not in d:
            return "writes down a plan (private)"
        case "plan":
            return "plans (private): " + _plan_words(scenario, d)
        case "message" if d.get("from") == "mediator":
            return f"the mediator {d.get('name')} says: {d.get('text')!r}"
        case "message":
            what = "hint" if d.get("hint") else "message"
            return f"the facilitator's {what}: {d.get('text')!r}"
        case "mediator":
            return f"{d.get('name')} {'takes' if d.get('seated') else 'leaves'} the mediator's seat"
        case "mediator_suggest":
            terms = describe_terms(scenario, d["terms"])
            return f"the mediator {d.get('name')} suggests (not binding): {terms}"
        case "end":
            if d.get("outcome") == "agreement":
                return f"AGREEMENT ({d['reason']}): {describe_terms(scenario, d['terms'])}"
            return f"IMPASSE ({d['reason']})"
        case "extend":
            return f"the facilitator extends the deadline by {d['seconds']} s"
        case "seat":
            return f"{d['role']}'s seat is taken by {d['occupant']}"
        case "pause" | "resume" | "abort":
            return (
                f"the facilitator {'ends' if event.type == 'abort' else event.type + 's'} the game"
            )
    return event.type.replace("_", " ")
