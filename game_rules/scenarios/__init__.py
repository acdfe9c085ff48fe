"""The built-in scenario library: one ``zopa-scenario/1`` TOML file per scenario."""
