"""Fixtures for the dashboard tests."""

from __future__ import annotations

import pytest

from centrehold.web.app import create_app

from .webkit import SMALL


@pytest.fixture
def small_app(tmp_path):
    return create_app(SMALL, runs_dir=tmp_path / "runs")
