"""Tournaments: sessions whose rounds follow a schedule, fairly paired and ranked.

``schedule`` reads and writes a tournament's plan, ``matching`` finds perfect matchings,
``pairing`` decides who plays whom in which role, ``standings`` ranks players across
roles and scenarios, ``report`` and ``export`` shape the tables and the tidy CSV, and
``views`` answers the HTTP calls from a session's games. All but ``views`` are pure;
the server's ``seating`` and ``rounds`` modules run the pairing. docs/tournaments.md
explains the rules.
"""
