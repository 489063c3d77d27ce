"""The models that run on the engine core (`centrehold.engine.core`).

`epstein`: Epstein's Models I and II on one or more tori. `regional`: the many-region
world of a scenario such as iraq-2009 (forces, calendar, revenge, attacks, displacement).
Callers use `centrehold.engine`, which picks the model a scenario names.
"""
