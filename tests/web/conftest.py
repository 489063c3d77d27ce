"""Fixtures for the dashboard tests."""

from __future__ import annotations

import pytest

from centrehold.web.app import create_app

from .webkit import SMALL


@pytest.fixture
def small_app(tmp_path):
    """The real engine, run in the server's threads (no worker processes to start)."""
    from centrehold.engine import simulate

    return create_app(SMALL, simulate=simulate, runs_dir=tmp_path / "runs")
