"""Tournaments: sessions whose rounds follow a schedule, fairly paired and ranked.

``schedule`` reads and writes a tournament's plan, ``standings`` ranks players across
roles and scenarios, ``report`` shapes the standings calls' answers and ``export``
writes the tidy CSV. All of them are pure; the server's ``sessions`` module runs them.
Who plays whom is the one pairing of every session (``zopa.server.pairing``), with the
tournament's order of its rules. docs/tournaments.md explains the rules.
"""
