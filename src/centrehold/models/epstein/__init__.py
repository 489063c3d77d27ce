"""Epstein's (2002) Models I and II: rules, presets, both schedules' kernels and the run loop."""
