"""One module per ``zopa`` sub-command, each with ``add_parser`` and ``run``."""
