"""Tests of the iraq-2009 scenario and the regional engine."""
