"""Maximum matchings in general graphs (Edmonds' blossom algorithm).

Pairing a round is a perfect-matching question on the graph of allowed pairs. A greedy
pass or a depth-first search with a step budget can miss a matching that exists, and
then a round gets a repeat partner or an unbalanced role it did not need. Edmonds'
algorithm answers exactly in O(n^3), and because it only grows a matching along
augmenting paths it can start from a preferred partial matching (the circle method's
pairs, or neighbours in the standings) and change as few of those pairs as it must.
"""

from __future__ import annotations

from collections.abc import Sequence


def maximum_matching(
    adjacent: Sequence[Sequence[int]], start: Sequence[int] | None = None
) -> list[int]:
    """``mate[v]``, the vertex matched with ``v`` or -1, for a maximum matching.

    ``adjacent[v]`` lists the neighbours of vertex ``v``; ``start`` is a valid matching
    (same form as the answer) to grow from, kept wherever no augmenting path runs through.
    """
    n = len(adjacent)
    mate = list(start) if start is not None else [-1] * n
    for root in range(n):
        if mate[root] == -1:
            _augment(adjacent, mate, root)
    return mate


def _augment(adjacent: Sequence[Sequence[int]], mate: list[int], root: int) -> None:
    """Search one augmenting path from the free vertex ``root`` and flip it, if any."""
    n = len(adjacent)
    parent = [-1] * n
    base = list(range(n))
    used = [False] * n
    used[root] = True
    queue = [root]
    head = 0

    def common_base(a: int, b: int) -> int:
        seen = [False] * n
        while True:
            a = base[a]
            seen[a] = True
            if mate[a] == -1:
                break
            a = parent[mate[a]]
        while True:
            b = base[b]
            if seen[b]:
                return b
            b = parent[mate[b]]

    def mark(v: int, stem: int, child: int, inside: list[bool]) -> None:
        while base[v] != stem:
            inside[base[v]] = inside[base[mate[v]]] = True
            parent[v] = child
            child = mate[v]
            v = parent[mate[v]]

    while head < len(queue):
        v = queue[head]
        head += 1
        for to in adjacent[v]:
            if base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] != -1 and parent[mate[to]] != -1):
                # An odd cycle: shrink it into a blossom with one base and search on.
                stem = common_base(v, to)
                inside = [False] * n
                mark(v, stem, to, inside)
                mark(to, stem, v, inside)
                for i in range(n):
                    if inside[base[i]]:
                        base[i] = stem
                        if not used[i]:
                            used[i] = True
                            queue.append(i)
            elif parent[to] == -1:
                parent[to] = v
                if mate[to] == -1:
                    _flip(mate, parent, to)
                    return
                used[mate[to]] = True
                queue.append(mate[to])


def _flip(mate: list[int], parent: list[int], end: int) -> None:
    v = end
    while v != -1:
        previous = parent[v]
        after = mate[previous]
        mate[v] = previous
        mate[previous] = v
        v = after
