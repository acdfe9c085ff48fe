"""The automatic annotator's detectors, one concept per module; ``zopa.rules.annotate`` runs them.

- ``tag``: the ``Tag`` value every detector returns;
- ``history``: the offers of a game, each with what it gave both sides, the offerer's
  previous offer and the offer standing when it was made;
- ``moves``: extreme openings, concessions, hard-line offers, logrolls;
- ``statements``: reveals checked against the speaker's card;
- ``finals``: final offers and bluffs called;
- ``outcome``: value left on the table, lose-lose issues, agreement traps, missed deals;
- ``impasse``: the stage at which an impasse happened.
"""
