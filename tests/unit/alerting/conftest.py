"""Fixtures for the alerting unit tests."""

from __future__ import annotations

import pytest

from tests.support.events import EventFactory, build_event


@pytest.fixture
def make_event() -> EventFactory:
    """Build an EventRecord; ids derive from article, code, trigger and sentence (see factory.build_event)."""
    return build_event
