"""zopa's rules: scenarios, the negotiation state machine, scoring, analysis, logs.

Pure and deterministic: standard library only, no I/O beyond reading the files it is
asked to read, no clock and no randomness of its own (time and seeds are inputs).
"""
