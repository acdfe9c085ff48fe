"""Public negotiation datasets turned into zopa games: one record in, one ``GameLog`` out.

- ``casino``: CaSiNo campsite dialogues (Chawla et al., NAACL 2021);
- ``dealornodeal``: Deal or No Deal lines (Lewis et al., EMNLP 2017);
- ``script``: the one way both build a log, by playing the record's moves through the
  rules, so an imported game is valid by construction and replays like any other.

Pure: the caller reads the files and writes the logs (``zopa import``). The mapping of
each dataset onto scenarios and actions is in docs/datasets.md.
"""
