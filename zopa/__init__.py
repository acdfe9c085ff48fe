"""zopa: a real-time server for two-player negotiation games.

The installed import names live under this package so that zopa never claims a
generic top-level name such as ``server``: ``zopa.rules`` (the folder game_rules/),
``zopa.server`` (server/) and ``zopa.client_web`` (client_web/). In a checkout these
three are links to the folders at the top of the repository.
"""
