"""Maximum matchings in general graphs (Edmonds' blossom algorithm).

Pairing a round is a perfect-matching question on the graph of allowed pairs. A greedy
pass or a depth-first search with a step budget can miss a matching that exists, and
then a round gets a repeat partner or an unbalanced role it did not need. Edmonds'
algorithm answers exactly, and because it only grows a matching along augmenting paths
it can start from a preferred partial matching (the circle method's pairs, or
neighbours in the standings) and change as few of those pairs as it must.

The graph is given by a function from a vertex to its neighbours rather than by lists:
a large class's first rounds are nearly complete graphs, and the search only looks at
the few neighbours it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

Neighbours = Callable[[int], Iterable[int]]


def maximum_matching(
    size: int, neighbours: Neighbours, start: Sequence[int] | None = None, perfect: bool = False
) -> list[int]:
    """``mate[v]``, the vertex matched with ``v`` or -1, for a maximum matching.

    ``neighbours(v)`` yields the vertices joined to ``v`` (symmetric); ``start`` is a
    valid matching (same form as the answer) to grow from, kept wherever no augmenting
    path runs through. With ``perfect``, the search stops at the first vertex that no
    augmenting path reaches: the answer then only says that no perfect matching exists.
    """
    mate = list(start) if start is not None else [-1] * size
    for root in range(size):
        # A vertex no augmenting path reaches never gets one later, as the matching grows
        # (Edmonds): each free vertex is tried once.
        if mate[root] == -1 and not _augment(size, neighbours, mate, root) and perfect:
            break
    return mate


def _augment(n: int, neighbours: Neighbours, mate: list[int], root: int) -> bool:
    """Search one augmenting path from the free vertex ``root`` and flip it, if any."""
    parent = [-1] * n
    base = list(range(n))
    # The vertices of each blossom, listed under its base: shrinking one touches only them.
    members = [[v] for v in range(n)]
    used = [False] * n
    used[root] = True
    queue = [root]
    head = 0

    def common_base(a: int, b: int) -> int:
        seen = set()
        while True:
            a = base[a]
            seen.add(a)
            if mate[a] == -1:
                break
            a = parent[mate[a]]
        while True:
            b = base[b]
            if b in seen:
                return b
            b = parent[mate[b]]

    def mark(v: int, stem: int, child: int, inside: set[int]) -> None:
        while base[v] != stem:
            inside.add(base[v])
            inside.add(base[mate[v]])
            parent[v] = child
            child = mate[v]
            v = parent[mate[v]]

    while head < len(queue):
        v = queue[head]
        head += 1
        for to in neighbours(v):
            if base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] != -1 and parent[mate[to]] != -1):
                # An odd cycle: shrink it into a blossom with one base and search on.
                stem = common_base(v, to)
                inside: set[int] = set()
                mark(v, stem, to, inside)
                mark(to, stem, v, inside)
                inside.discard(stem)
                for old in inside:
                    for i in members[old]:
                        base[i] = stem
                        if not used[i]:
                            used[i] = True
                            queue.append(i)
                    members[stem].extend(members[old])
                    members[old] = []
            elif parent[to] == -1:
                parent[to] = v
                if mate[to] == -1:
                    _flip(mate, parent, to)
                    return True
                used[mate[to]] = True
                queue.append(mate[to])
    return False


def _flip(mate: list[int], parent: list[int], end: int) -> None:
    v = end
    while v != -1:
        previous = parent[v]
        after = mate[previous]
        mate[v] = previous
        mate[previous] = v
        v = after
