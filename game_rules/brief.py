"""A role's brief says what its card says: ``{batna}`` placeholders filled from each game's card.

When the BATNA is drawn afresh for every game, a brief that names it ("the dealer's
offer is worth 12,000 points") must name the game's own. A brief may hold:

- ``{batna}``: the role's BATNA in this game, as a number ("12,000");
- ``{batna:ISSUE}``: the option of ISSUE that is worth exactly that BATNA to the role
  ("$42k"), for a one-issue bargain whose walk-away is a price.

Only these are placeholders; any other braces are text. ``check_brief`` refuses, when
the file is read, a ``{batna:ISSUE}`` that some game could not fill.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from zopa.rules.errors import ScenarioError

if TYPE_CHECKING:
    from zopa.rules.scenario import Issue, Points, PointsTable, Role
    from zopa.rules.variation import RoleVariation

_PLACEHOLDER = re.compile(r"\{batna(?::([^{}]*))?\}")


def number_text(value: Points) -> str:
    """A number as a brief writes it: ``12,000``, ``2.5``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def check_brief(
    source: str,
    where: str,
    role: Role,
    variation: RoleVariation | None,
    issues: tuple[Issue, ...],
) -> None:
    """Refuse a ``{batna:ISSUE}`` naming no issue, or one some game's BATNA has no option for."""
    index = {issue.id: n for n, issue in enumerate(issues)}
    for match in _PLACEHOLDER.finditer(role.brief):
        issue_id = match.group(1)
        if issue_id is None:
            continue
        token = match.group(0)
        if issue_id not in index:
            raise ScenarioError(
                source, where, f"{token} naming an issue id (one of {sorted(index)})"
            )
        n = index[issue_id]
        batnas: tuple[Points, ...] = (role.batna,)
        if variation is not None:
            moved = variation.cards or variation.noise or any(n in g for g in variation.shuffle)
            if moved:
                raise ScenarioError(
                    source,
                    where,
                    f"{token} only for an issue whose points stay the same from game to game "
                    f"('{issue_id}' changes with [variation.roles.{role.id}])",
                )
            if variation.batna is not None:
                batnas = variation.batna.values()
        row = role.points[n]
        for batna in batnas:
            if batna not in row:
                raise ScenarioError(
                    source,
                    where,
                    f"{token} only if some option of '{issue_id}' is worth exactly each BATNA "
                    f"the role can have (none is worth {number_text(batna)})",
                )


def fill_brief(brief: str, batna: Points, points: PointsTable, issues: tuple[Issue, ...]) -> str:
    """The brief of one game's card: every placeholder replaced by that card's values."""
    if "{batna" not in brief:
        return brief
    index = {issue.id: n for n, issue in enumerate(issues)}

    def value(match: re.Match[str]) -> str:
        issue_id = match.group(1)
        if issue_id is None or issue_id not in index:
            return number_text(batna)
        n = index[issue_id]
        row = points[n]
        # check_brief made sure there is one; a number is the honest fallback otherwise.
        return issues[n].options[row.index(batna)] if batna in row else number_text(batna)

    return _PLACEHOLDER.sub(value, brief)
