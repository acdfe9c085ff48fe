"""Pairing a round: who plays whom, in which role, and who sits out.

One pairing serves plain sessions and tournaments. It is pure and seeded. Roles are
treated like colours in chess, by index: the scenario's first role or its second,
whatever the scenario of the round. With an odd number of players one sits out: plays
the bot, or has a bye in a tournament that says so. Sitting out always rotates: nobody
sits out a second time before every player present has sat out once. Then three rules:

- **balance**: each player's counts of first and second roles differ by at most one. A
  player who has played the first role more must take the second, and two players owed
  the same role are never paired.
- **new partners**: nobody meets a partner they have already met.
- **alternate**: nobody plays the same role three games running (balance already
  prevents it for anyone whose balance never broke; it matters after withdrawals).

The rules come in an order of priority: a tournament's is balance, new partners,
alternate (``TOURNAMENT``), a plain session's new partners first (``PLAIN``). A round
keeps the rules lexicographically best: every subset of the rules is a tier, the tiers
are tried strictest first in that order (all three, the first two, the first and the
third, the first alone, ...), and the first tier under which everyone can be seated
wins. So a rule gives way only when no pairing at all keeps it together with the rules
before it. Whether everyone can be seated under a tier is answered exactly by a maximum
matching (``matching``) on the graph of allowed pairs plus, with an odd count, a bot
vertex joined to the players due to sit out; it grows from the pairing the session
prefers and changes only what the rules require:

- the circle method (``circle``) over the players present in the order they joined,
  for round robins and plain sessions: a fixed class meets everyone once in n - 1
  rounds (n when odd), with roles that keep balance, so the circle never has to bend;
- Swiss, players sorted by standing, each paired with the nearest one below them
  (the Monrad system), the lowest standing sitting out.

Late joiners simply appear in ``players``; those who left, or are busy, do not.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from zopa.server.circle import FIRST, SECOND, circle_pairs, circle_roles, left_out
from zopa.server.matching import maximum_matching
from zopa.server.tournament.schedule import Odd, Pairing

Rule = Literal["balance", "new_partners", "alternate"]

TOURNAMENT: tuple[Rule, ...] = ("balance", "new_partners", "alternate")
PLAIN: tuple[Rule, ...] = ("new_partners", "balance", "alternate")

# Roles a player may take, as bits: the first role, the second, or both.
MAY_FIRST, MAY_SECOND, MAY_EITHER = 1, 2, 3
# Which sets of roles can face each other: one side takes a role the other leaves.
_FACING = {
    MAY_FIRST: (MAY_SECOND, MAY_EITHER),
    MAY_SECOND: (MAY_FIRST, MAY_EITHER),
    MAY_EITHER: (MAY_FIRST, MAY_SECOND, MAY_EITHER),
}


@dataclass(frozen=True, slots=True)
class Record:
    """What one player has done so far in the session: the one history pairing reads."""

    roles: tuple[int, ...] = ()  # role index of each game played, in order
    partners: frozenset[str] = frozenset()
    sat_out: int = 0  # byes and games against the bot
    score: float = 0.0  # standing, for Swiss

    @property
    def lean(self) -> int:
        """How many more times the player has played the first role than the second."""
        return self.roles.count(FIRST) - self.roles.count(SECOND)

    def after(self, role: int, partner: str | None) -> Record:
        """The record once the player has played ``role`` with ``partner`` (None: the bot)."""
        roles = (*self.roles, role)
        if partner is None:
            # A game against the bot is a sit-out, as a bye is.
            return replace(self, roles=roles, sat_out=self.sat_out + 1)
        return replace(self, roles=roles, partners=self.partners | {partner})

    def after_bye(self) -> Record:
        return replace(self, sat_out=self.sat_out + 1)


@dataclass(frozen=True, slots=True)
class Table:
    seats: tuple[str | None, str | None]  # player per role index; None is the bot


@dataclass(frozen=True, slots=True)
class RoundPairing:
    tables: tuple[Table, ...]
    bye: str | None = None
    rules: frozenset[Rule] = frozenset()  # the tier the round kept


EMPTY = Record()


def tiers(order: Sequence[Rule]) -> list[frozenset[Rule]]:
    """Every subset of the rules, strictest first: lexicographic in their priority."""
    count = len(order)
    return [
        frozenset(rule for bit, rule in enumerate(order) if mask >> (count - 1 - bit) & 1)
        for mask in range(2**count - 1, -1, -1)
    ]


def allowed(record: Record, rules: frozenset[Rule]) -> int:
    """The roles ``record``'s player may take under ``rules``, as bits."""
    roles = MAY_EITHER
    if "balance" in rules:
        lean = record.lean
        if lean > 0:
            roles &= ~MAY_FIRST
        elif lean < 0:
            roles &= ~MAY_SECOND
    if "alternate" in rules and len(record.roles) >= 2 and record.roles[-1] == record.roles[-2]:
        roles &= ~(MAY_FIRST if record.roles[-1] == FIRST else MAY_SECOND)
    return roles


def pair_round(
    players: Sequence[str],
    history: Mapping[str, Record],
    *,
    system: Pairing,
    odd: Odd,
    index: int,
    seed: int,
    order: Sequence[Rule] = TOURNAMENT,
) -> RoundPairing:
    """Round ``index`` (from 0) for ``players``, in the order they joined."""
    rng = random.Random(seed)
    pool = list(players)
    hint: dict[str, int] = {}
    preferred: list[tuple[str, str]] = []
    favourite = None
    if system == "round_robin":
        preferred = circle_pairs(pool, index)
        hint = circle_roles(pool, index)
        favourite = left_out(pool, index)
    else:
        rng.shuffle(pool)  # equal standings meet in a random order
        pool.sort(key=lambda p: -history.get(p, EMPTY).score)
    graph = _Round(pool, [history.get(p, EMPTY) for p in pool], preferred, favourite)
    tried: set[frozenset[Rule]] = set()
    mate: list[int] | None = None
    rules: frozenset[Rule] = frozenset()
    for tier in tiers(order):
        rules = tier & graph.binding
        if rules in tried:
            continue
        tried.add(rules)
        mate = graph.match(rules)
        if mate is not None:
            break
    assert mate is not None, "with no rules everyone can always be seated"
    tables, sitter = graph.tables(mate, rules, hint, rng)
    if sitter is not None and odd == "bye":
        return RoundPairing(tuple(tables), bye=sitter, rules=rules)
    if sitter is not None:
        record = graph.records[graph.index[sitter]]
        role = _bot_role(record, allowed(record, rules), hint.get(sitter), rng)
        tables.append(Table((sitter, None) if role == FIRST else (None, sitter)))
    return RoundPairing(tuple(tables), rules=rules)


class _Round:
    """One round's players as vertices 0..n-1, and with an odd count the bot as vertex n."""

    def __init__(
        self,
        pool: list[str],
        past: list[Record],
        preferred: list[tuple[str, str]],
        favourite: str | None,
    ) -> None:
        self.pool = pool
        self.records = past
        self.index = {p: i for i, p in enumerate(pool)}
        n = len(pool)
        self.bot = n if n % 2 else -1
        self.size = n + (n % 2)
        fewest = min((r.sat_out for r in past), default=0)
        self.due = [r.sat_out == fewest for r in past]
        self.partners = [
            frozenset(self.index[q] for q in r.partners if q in self.index) for r in past
        ]
        self.leans = [r.lean for r in past]
        self.plus = sum(1 for v in self.leans if v > 0)  # owed the second role
        self.minus = sum(1 for v in self.leans if v < 0)  # owed the first
        self.preferred = [(self.index[a], self.index[b]) for a, b in preferred]
        self.sitter = self._sitter(favourite) if self.bot >= 0 else -1
        # Rules that restrict nobody this round: a tier with or without them is the same.
        binding: set[Rule] = set()
        if any(self.leans):
            binding.add("balance")
        if any(self.partners):
            binding.add("new_partners")
        if any(len(r.roles) >= 2 and r.roles[-1] == r.roles[-2] for r in past):
            binding.add("alternate")
        self.binding = frozenset(binding)

    def _balanced_without(self, out: int) -> bool:
        """Whether everyone but ``out`` (-1: nobody) can pair keeping their role balance."""
        count, plus, minus = len(self.pool), self.plus, self.minus
        if out >= 0:
            count -= 1
            plus -= self.leans[out] > 0
            minus -= self.leans[out] < 0
        return abs(plus - minus) <= count - plus - minus

    def _sitter(self, favourite: str | None) -> int:
        """Who the session would rather see sit out: the due player the circle leaves out,
        else (Swiss) the lowest standing, keeping everyone else's balance possible."""
        due = [i for i, d in enumerate(self.due) if d]
        keeping = [i for i in due if self._balanced_without(i)] or due
        chosen = self.index.get(favourite) if favourite is not None else None
        return chosen if chosen in keeping else keeping[-1]

    def match(self, rules: frozenset[Rule]) -> list[int] | None:
        """A perfect matching of the round's graph under ``rules``, or None if none exists."""
        n, bot = len(self.pool), self.bot
        masks = [allowed(r, rules) for r in self.records]
        if 0 in masks:
            return None  # someone may take neither role
        if "balance" in rules and not self._can_balance():
            return None  # the counts of players owed each role rule it out
        new = "new_partners" in rules
        members: dict[int, list[int]] = {MAY_FIRST: [], MAY_SECOND: [], MAY_EITHER: []}
        for i, mask in enumerate(masks):
            members[mask].append(i)
        sitters = [i for i in range(n) if self.due[i]]
        partners, due = self.partners, self.due
        nobody: frozenset[int] = frozenset()

        def neighbours(v: int) -> Iterator[int]:
            if v == bot:
                yield from sitters
                return
            forbidden = partners[v] if new else nobody
            for mask in _FACING[masks[v]]:
                for u in members[mask]:
                    if u != v and u not in forbidden:
                        yield u
            if bot >= 0 and due[v]:
                yield bot

        def fits(a: int, b: int) -> bool:
            if bot in (a, b):
                return due[a + b - bot]
            if new and b in partners[a]:
                return False
            return masks[b] in _FACING[masks[a]]

        kinds = masks + [MAY_EITHER] * (bot >= 0)  # the bot may face anyone, either role
        roles = _Shortfall(kinds)
        mate = [-1] * self.size

        def take(a: int, b: int) -> None:
            mate[a], mate[b] = b, a
            roles.take(kinds[a], kinds[b])

        if bot >= 0 and fits(self.sitter, bot):
            take(self.sitter, bot)
        for a, b in self.preferred:
            if mate[a] == -1 and mate[b] == -1 and fits(a, b) and roles.keeps(masks[a], masks[b]):
                take(a, b)
        self._greedy(mate, masks, members, new, roles)
        mate = maximum_matching(self.size, neighbours, mate, perfect=True)
        return None if -1 in mate else mate

    def _can_balance(self) -> bool:
        if self.bot < 0:
            return self._balanced_without(-1)
        return any(self._balanced_without(i) for i, d in enumerate(self.due) if d)

    def _greedy(
        self,
        mate: list[int],
        masks: list[int],
        members: dict[int, list[int]],
        new: bool,
        roles: _Shortfall,
    ) -> None:
        """Pair the still-unpaired in order, each with the nearest one after them that fits,
        new partners first, and not so as to leave players owed a role without partners.

        Each kind of player (the roles they may take) is a list in order with a head
        before which everyone is paired or earlier: the search for a partner starts there.
        """
        heads = dict.fromkeys(members, 0)
        for i in range(len(self.pool)):
            if mate[i] != -1:
                continue
            fresh, stale = -1, -1
            met = self.partners[i]
            for mask in _FACING[masks[i]]:
                if not roles.keeps(masks[i], mask):
                    continue
                line = members[mask]
                h = heads[mask]
                while h < len(line) and (line[h] <= i or mate[line[h]] != -1):
                    h += 1
                heads[mask] = h
                for k in range(h, len(line)):
                    u = line[k]
                    if fresh != -1 and u > fresh:
                        break
                    if mate[u] != -1:
                        continue
                    if u not in met:
                        fresh = u
                        break
                    if not new and (stale == -1 or u < stale):
                        stale = u
            chosen = fresh if fresh != -1 else stale
            if chosen != -1:
                mate[i], mate[chosen] = chosen, i
                roles.take(masks[i], masks[chosen])

    def tables(
        self, mate: list[int], rules: frozenset[Rule], hint: Mapping[str, int], rng: random.Random
    ) -> tuple[list[Table], str | None]:
        """The pairs of ``mate`` seated in their roles, and who faces the bot (or None)."""
        tables = []
        sitter = None
        for i, j in enumerate(mate):
            if j == self.bot:
                sitter = self.pool[i]
            elif i < j:
                tables.append(self._seat(i, j, rules, hint, rng))
        return tables, sitter

    def _seat(
        self, i: int, j: int, rules: frozenset[Rule], hint: Mapping[str, int], rng: random.Random
    ) -> Table:
        a, b = self.pool[i], self.pool[j]
        past = {a: self.records[i], b: self.records[j]}

        def cost(role_of_a: int) -> tuple[int, int, int, int, float]:
            roles = {a: role_of_a, b: 1 - role_of_a}
            return (
                # Outside the tiers that enforce it, still keep roles as even as possible.
                sum(abs(past[p].lean + (1 if r == FIRST else -1)) for p, r in roles.items()),
                sum(_third_in_a_row(past[p], r) for p, r in roles.items()),
                sum(hint.get(p, r) != r for p, r in roles.items()),
                sum(past[p].roles[-1:] == (r,) for p, r in roles.items()),
                rng.random(),
            )

        mask_a, mask_b = allowed(past[a], rules), allowed(past[b], rules)
        choices = [r for r in (FIRST, SECOND) if mask_a & _bit(r) and mask_b & _bit(1 - r)] or [
            FIRST,
            SECOND,
        ]
        role_of_a = min(choices, key=cost)
        return Table((a, b) if role_of_a == FIRST else (b, a))


class _Shortfall:
    """The unpaired players counted by the roles they may take.

    Those who may take only the first role need partners who may take the second, and
    the other way round; those who may take either make up the difference. A pair that
    leaves fewer of these than the difference strands someone, whom only a long search
    of the blossom algorithm then seats (a class of a thousand had dozens stranded when
    the preferred pairs and the first pass did not look).
    """

    def __init__(self, kinds: list[int]) -> None:
        self.free = dict.fromkeys((MAY_FIRST, MAY_SECOND, MAY_EITHER), 0)
        for kind in kinds:
            self.free[kind] += 1

    def short(self) -> int:
        free = self.free
        return max(0, abs(free[MAY_FIRST] - free[MAY_SECOND]) - free[MAY_EITHER])

    def keeps(self, a: int, b: int) -> bool:
        """Whether pairing a player of kind ``a`` with one of kind ``b`` strands nobody more."""
        before = self.short()
        self.take(a, b)
        after = self.short()
        self.free[a] += 1
        self.free[b] += 1
        return after <= before

    def take(self, a: int, b: int) -> None:
        self.free[a] -= 1
        self.free[b] -= 1


def _bit(role: int) -> int:
    return MAY_FIRST if role == FIRST else MAY_SECOND


def _bot_role(record: Record, mask: int, hint: int | None, rng: random.Random) -> int:
    """The role a player takes against the bot: the one owed, else a change from the last."""
    return min(
        [r for r in (FIRST, SECOND) if mask & _bit(r)] or [FIRST, SECOND],
        key=lambda r: (
            abs(record.lean + (1 if r == FIRST else -1)),
            _third_in_a_row(record, r),
            hint is not None and hint != r,
            # Against the bot, repeating the last role keeps the player's games in the
            # same twos as everyone else's (see ``circle_roles``).
            record.roles[-1:] != (r,),
            rng.random(),
        ),
    )


def _third_in_a_row(record: Record, role: int) -> bool:
    return record.roles[-2:] == (role, role)
