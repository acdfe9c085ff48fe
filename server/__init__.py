"""zopa's server: the Starlette application, game actors, storage and the command line."""
