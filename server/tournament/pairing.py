"""Pairing a tournament round: who plays whom, in which role, who sits out.

Pure and seeded. Roles are treated like colours in chess, by index: the scenario's
first role or its second, whatever the scenario of the round. Rules, in priority order:

1. Sitting out rotates: with an odd number of players, one plays the bot (or has a
   bye), and nobody sits out a second time before every player present has sat out
   once. Among those due, the one chosen keeps rule 2 possible for everyone else.
2. Role balance: each player's counts of first and second roles differ by at most one.
   A player who has played the first role more must take the second, and two players
   owed the same role are never paired, while any pairing allows it.
3. No repeat partners while a pairing of new partners exists (within rule 2).
4. Nobody plays the same role three games running while a pairing allows it. Rule 2
   already makes that impossible for anyone whose balance never broke; this rule
   matters after withdrawals left the remaining players owed the same role.

Each rule is a set of allowed pairs, and a round takes the strictest set of rules that
still pairs everyone, tried in order. Whether everyone can be paired is answered
exactly by a maximum matching (``matching``), grown from the pairing the system prefers:

- round robin, the circle method over the players present in the order they joined
  (a fixed class meets everyone once in n - 1 rounds, n rounds when odd), with roles
  from ``circle_roles`` so that the circle's pairs always keep rule 2 and it never has
  to bend;
- Swiss, players sorted by standing, each paired with the nearest one below them
  (the Monrad system).

Late joiners simply appear in ``players``; those who left simply do not.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from zopa.server.tournament.matching import maximum_matching
from zopa.server.tournament.schedule import Odd, Pairing

FIRST, SECOND = 0, 1


@dataclass(frozen=True, slots=True)
class Record:
    """What one player has done so far in the tournament."""

    roles: tuple[int, ...] = ()  # role index of each game played, in order
    partners: frozenset[str] = frozenset()
    sat_out: int = 0  # byes and games against the bot
    score: float = 0.0  # standing, for Swiss

    @property
    def lean(self) -> int:
        """How many more times the player has played the first role than the second."""
        return self.roles.count(FIRST) - self.roles.count(SECOND)


@dataclass(frozen=True, slots=True)
class Table:
    seats: tuple[str | None, str | None]  # player per role index; None is the bot


@dataclass(frozen=True, slots=True)
class RoundPairing:
    tables: tuple[Table, ...]
    bye: str | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    balance: bool
    new_partners: bool
    alternate: bool


# The strictest first; the last always pairs everyone.
TIERS = (
    Rules(balance=True, new_partners=True, alternate=True),
    Rules(balance=True, new_partners=True, alternate=False),
    Rules(balance=True, new_partners=False, alternate=False),
    Rules(balance=False, new_partners=True, alternate=False),
    Rules(balance=False, new_partners=False, alternate=False),
)
EMPTY = Record()


def allowed_roles(record: Record, rules: Rules) -> frozenset[int]:
    roles = {FIRST, SECOND}
    if rules.balance:
        lean = record.lean
        if lean > 0:
            roles.discard(FIRST)
        elif lean < 0:
            roles.discard(SECOND)
    if rules.alternate and len(record.roles) >= 2 and record.roles[-1] == record.roles[-2]:
        roles.discard(record.roles[-1])
    return frozenset(roles)


def balanceable(records: Sequence[Record]) -> bool:
    """Whether these players can all be paired keeping everyone's role balance."""
    owed_second = sum(1 for r in records if r.lean > 0)
    owed_first = sum(1 for r in records if r.lean < 0)
    return abs(owed_second - owed_first) <= len(records) - owed_second - owed_first


def pair_round(
    players: Sequence[str],
    records: Mapping[str, Record],
    *,
    system: Pairing,
    odd: Odd,
    index: int,
    seed: int,
) -> RoundPairing:
    """Round ``index`` (from 0) for ``players``, in the order they joined."""
    rng = random.Random(seed)
    past = {p: records.get(p, EMPTY) for p in players}
    if system == "round_robin":
        order = list(players)
        circle = circle_pairs(order, index)
        hint = circle_roles(order, index)
    else:
        order = list(players)
        rng.shuffle(order)  # equal standings meet in a random order
        order.sort(key=lambda p: -past[p].score)
        circle, hint = [], {}
    sitter = _sitter(order, past, circle) if len(order) % 2 else None
    rest = [p for p in order if p != sitter]
    pairs: list[tuple[str, str]] = []
    rules = TIERS[-1]
    for rules in TIERS:
        found = _match(rest, past, rules, [c for c in circle if sitter not in c])
        if found is not None:
            pairs = found
            break
    tables = [_seat(a, b, past, rules, hint, rng) for a, b in pairs]
    if sitter is None:
        return RoundPairing(tuple(tables))
    if odd == "bye":
        return RoundPairing(tuple(tables), bye=sitter)
    role = _best_role(past[sitter], hint.get(sitter), rng)
    alone = Table((sitter, None) if role == FIRST else (None, sitter))
    return RoundPairing((*tables, alone))


def circle_pairs(seats: Sequence[str], index: int) -> list[tuple[str, str]]:
    """Round ``index`` of the circle method, each pair (first role, second role) as de Werra
    orients it; with an odd count, the player facing the empty seat is left out."""
    return [(a, b) for a, b in _circle(seats, index) if a is not None and b is not None]


def _circle(seats: Sequence[str], index: int) -> list[tuple[str | None, str | None]]:
    # One seat stays put and the others turn around it: with an odd count the one that
    # stays put is the empty seat, which is what lets every player alternate roles.
    fixed: str | None
    if len(seats) % 2:
        fixed, turning = None, list(seats)
    else:
        fixed, turning = (seats[0], list(seats[1:])) if seats else (None, [])
    r = len(turning)
    if r == 0:
        return []
    k = index % r
    # de Werra: the seat that stays put takes each role in turn.
    pairs: list[tuple[str | None, str | None]] = [
        (turning[k], fixed) if k % 2 == 0 else (fixed, turning[k])
    ]
    for i in range(1, (r + 1) // 2):
        up, down = turning[(k + i) % r], turning[(k - i) % r]
        pairs.append((up, down) if i % 2 else (down, up))
    return pairs


def circle_roles(seats: Sequence[str], index: int) -> dict[str, int]:
    """The role each player should take in round ``index`` of the circle.

    With an odd count, de Werra's orientation of the circle already alternates every
    player's roles between their byes. With an even count it cannot (some player plays
    the same role twice in a row somewhere), so the roles come in twos instead: two
    perfect matchings together form even cycles, so the players of rounds 2j and 2j+1
    two-colour with every pair of either round split between colours. The colour is the
    role in round 2j and the other role in round 2j+1, so each player's second game of
    the two is in the other role, and nobody's counts ever differ by more than one.
    """
    if len(seats) % 2:
        return {
            p: role
            for pair in _circle(seats, index)
            for role, p in enumerate(pair)
            if p is not None
        }
    first = index - index % 2
    links: dict[str, list[str]] = {p: [] for p in seats}
    for round_index in (first, first + 1):
        for a, b in circle_pairs(seats, round_index):
            links[a].append(b)
            links[b].append(a)
    colour: dict[str, int] = {}
    for seat in seats:
        if seat in colour:
            continue
        colour[seat] = FIRST
        stack = [seat]
        while stack:
            v = stack.pop()
            for w in links[v]:
                if w not in colour:
                    colour[w] = 1 - colour[v]
                    stack.append(w)
    return {p: colour[p] ^ (index % 2) for p in seats}


def _sitter(order: list[str], past: Mapping[str, Record], circle: list[tuple[str, str]]) -> str:
    fewest = min(past[p].sat_out for p in order)
    due = [p for p in order if past[p].sat_out == fewest]
    keeping = [p for p in due if balanceable([past[q] for q in order if q != p])]
    pool = keeping or due
    # The circle's own choice is whoever it leaves without a partner; Swiss gives it to
    # the lowest standing, as chess does.
    paired = {p for pair in circle for p in pair}
    unpaired = [p for p in pool if p not in paired]
    if circle and unpaired:
        return unpaired[0]
    return pool[-1]


def _match(
    pool: list[str], past: Mapping[str, Record], rules: Rules, preferred: list[tuple[str, str]]
) -> list[tuple[str, str]] | None:
    """A pairing of everyone in ``pool`` under ``rules``, close to the preferred one, or None."""
    allowed = {p: allowed_roles(past[p], rules) for p in pool}

    def fits(a: str, b: str) -> bool:
        if rules.new_partners and b in past[a].partners:
            return False
        return any(r in allowed[a] and 1 - r in allowed[b] for r in (FIRST, SECOND))

    index = {p: i for i, p in enumerate(pool)}
    mate = [-1] * len(pool)
    for a, b in preferred:
        if fits(a, b):
            mate[index[a]], mate[index[b]] = index[b], index[a]
    _greedy(pool, past, mate, fits)
    adjacent = [[j for j, q in enumerate(pool) if q != p and fits(p, q)] for p in pool]
    mate = maximum_matching(adjacent, mate)
    if -1 in mate:
        return None
    return [(pool[i], pool[j]) for i, j in enumerate(mate) if i < j]


def _greedy(
    pool: list[str], past: Mapping[str, Record], mate: list[int], fits: Callable[[str, str], bool]
) -> None:
    """Pair the still-unpaired in order, each with the next one that fits, new partners first."""
    for i, p in enumerate(pool):
        if mate[i] != -1:
            continue
        free = [j for j in range(i + 1, len(pool)) if mate[j] == -1 and fits(p, pool[j])]
        fresh = [j for j in free if pool[j] not in past[p].partners]
        chosen = (fresh or free or [-1])[0]
        if chosen != -1:
            mate[i], mate[chosen] = chosen, i


def _seat(
    a: str,
    b: str,
    past: Mapping[str, Record],
    rules: Rules,
    hint: Mapping[str, int],
    rng: random.Random,
) -> Table:
    def cost(role_of_a: int) -> tuple[int, int, int, int, float]:
        roles = {a: role_of_a, b: 1 - role_of_a}
        return (
            # Outside the rule tiers that enforce it, still keep roles as even as possible.
            sum(abs(past[p].lean + (1 if r == FIRST else -1)) for p, r in roles.items()),
            sum(_third_in_a_row(past[p], r) for p, r in roles.items()),
            sum(hint.get(p, r) != r for p, r in roles.items()),
            sum(past[p].roles[-1:] == (r,) for p, r in roles.items()),
            rng.random(),
        )

    choices = [
        r
        for r in (FIRST, SECOND)
        if r in allowed_roles(past[a], rules) and 1 - r in allowed_roles(past[b], rules)
    ] or [FIRST, SECOND]
    role_of_a = min(choices, key=cost)
    return Table((a, b) if role_of_a == FIRST else (b, a))


def _best_role(record: Record, hint: int | None, rng: random.Random) -> int:
    """The role a player takes against the bot: the one owed, else a change from the last."""
    return min(
        (FIRST, SECOND),
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
