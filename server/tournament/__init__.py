"""Tournaments: sessions whose rounds follow a schedule, fairly paired and ranked.

``schedule`` reads and writes a tournament's plan, ``matching`` finds perfect matchings,
``pairing`` decides who plays whom in which role, ``standings`` ranks players across
roles and scenarios, and ``export`` writes the tidy CSV. All of them are pure; the
server's ``sessions`` module runs them. docs/tournaments.md explains the rules.
"""
