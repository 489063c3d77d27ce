"""What every model runs on: the structure-of-arrays world, keyed random streams and
the rule kernels both Epstein's models and the regional world call.

Nothing here knows a model; `centrehold.models` builds on it, never the other way.
"""
