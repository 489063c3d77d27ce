"""Instigators and their policies: the iraq-2009 hypotheses as attack intensities."""

from centrehold.actors.hypotheses import (
    ALL_INSTIGATORS,
    INSTIGATORS,
    POLICIES,
    WorldSummary,
    funding_exposure,
    intensity,
)

__all__ = ["ALL_INSTIGATORS", "INSTIGATORS", "POLICIES", "WorldSummary", "funding_exposure",
           "intensity"]
