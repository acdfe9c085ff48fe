"""Tournaments: sessions whose rounds follow a schedule, fairly paired and ranked.

``schedule`` reads and writes a tournament's plan, ``standings`` ranks players across
roles and scenarios, ``report`` and ``export`` shape the tables and the tidy CSV, and
``views`` answers the HTTP calls from a session's games. All but ``views`` are pure.
Who plays whom is the one pairing of every session (``zopa.server.pairing``, run by the
server's ``seating`` and ``rounds`` modules), with the tournament's order of its rules.
docs/tournaments.md explains the rules.
"""
