"""Summarise py-spy raw stacks: the functions with the most samples, self and total.

Run: ``python bench/stacks.py FILE [N]``.
"""

from __future__ import annotations

import collections
import sys


def main() -> None:
    path, top = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    with open(path, encoding="utf-8") as handle:
        lines = handle.readlines()
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    print(f"{samples} samples")
    print("self:")
    for frame, count in own.most_common(top):
        print(f"{100 * count / samples:6.1f}%  {frame}")
    print("total:")
    for frame, count in total.most_common(top):
        print(f"{100 * count / samples:6.1f}%  {frame}")


if __name__ == "__main__":
    main()
