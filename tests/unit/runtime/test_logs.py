"""JSON log lines: service name, ``extra=`` fields and the consumed message's coordinates."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from powderkeg_runtime.logs import bind, build_handler, configure_logging, message_context


@pytest.fixture
def out() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def json_log(out: io.StringIO) -> Iterator[logging.Logger]:
    """A logger of its own with the JSON handler into ``out`` (the root logger, pytest's, is left alone)."""
    logger = logging.getLogger("powderkeg.test")
    handler = build_handler(json_lines=True, service="extractor", stream=out)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger
    logger.removeHandler(handler)
    logger.propagate = True


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_lines_carry_the_service_and_extra_fields(
    json_log: logging.Logger, out: io.StringIO
) -> None:
    json_log.info("sent %d", 3, extra={"reason": "too_large", "sink": "ops"})
    (line,) = _lines(out)
    assert line["msg"] == "sent 3" and line["level"] == "INFO" and line["logger"] == "powderkeg.test"
    assert line["service"] == "extractor" and line["reason"] == "too_large" and line["sink"] == "ops"


def test_lines_inside_a_message_context_carry_its_coordinates_and_article_id(
    json_log: logging.Logger, out: io.StringIO
) -> None:
    with message_context(topic="powderkeg.articles.v1", partition=2, offset=41):
        json_log.info("decoded")
        bind(article_id="a1b2")
        json_log.warning("too long")
    json_log.info("outside")
    decoded, too_long, outside = _lines(out)
    assert (decoded["topic"], decoded["partition"], decoded["offset"]) == ("powderkeg.articles.v1", 2, 41)
    assert "article_id" not in decoded and too_long["article_id"] == "a1b2" and too_long["offset"] == 41
    assert "topic" not in outside and outside["service"] == "extractor"


def test_an_unknown_log_level_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of DEBUG"):
        configure_logging("verbose")
