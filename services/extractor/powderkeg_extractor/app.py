"""The extractor service: the stage from ``powderkeg.articles.v1`` to ``powderkeg.events.v2`` and outcomes.

The runtime's stage skeleton (:mod:`powderkeg_runtime.stage`) decodes each Article, dead-letters what cannot be
decoded or extracted, produces the outputs with every send acknowledged and only then lets faust ack the offset. This
file wires it: the handler extracts in a thread and returns every EventRecord keyed by its pair of sides, then the
ArticleOutcome. Event ids are deterministic, so a replayed article produces the same ids and consumers drop them.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
from datetime import UTC, datetime
from typing import Any, Final

import faust

from powderkeg_contracts import Article, ArticleOutcome, EventRecord, topics
from powderkeg_extractor import metrics as m
from powderkeg_extractor.core.pipeline import Extractor
from powderkeg_extractor.outcome import ArticleTooLarge, process_articles
from powderkeg_extractor.settings import ExtractorSettings, configured_extractor
from powderkeg_runtime.codec import encode
from powderkeg_runtime.kafka_admin import ensure_topics
from powderkeg_runtime.logs import LEVELS, configure_logging
from powderkeg_runtime.produce import Send
from powderkeg_runtime.settings import load_settings
from powderkeg_runtime.stage import Output, Rejected, Stage
from powderkeg_runtime.worker import EXIT_NO_BROKER, make_app, run_worker

log = logging.getLogger(__name__)

STAGE: Final = "extractor"
AGENT: Final = "extract-articles"


def event_key(event: EventRecord) -> bytes:
    """Events are keyed by their pair of sides, so one pair's events stay in order on one partition."""
    return event.sides.key.encode()


def _count_event(event: EventRecord) -> None:
    m.EVENTS_EXTRACTED.labels(event_type=event.event_type.value, factuality=event.factuality.value).inc()


def _count_outcome(outcome: ArticleOutcome) -> None:
    m.ARTICLES_OUTCOME.labels(outcome=outcome.status.value).inc()
    if outcome.status.value == "skipped":
        m.ARTICLES_SKIPPED.labels(reason=(outcome.reason or "unknown").split(":", 1)[0]).inc()


def build_app(
    settings: ExtractorSettings, extractor: Extractor, *, send: Send | None = None, **overrides: Any
) -> faust.App:
    """Create the faust app and its agent (``app.agents[AGENT]``); ``overrides`` go to ``make_app``."""
    app = make_app(settings.extractor_app_id, settings, **overrides)
    articles = app.topic(topics.ARTICLES, value_type=bytes, key_type=bytes)
    events_topic = app.topic(topics.EVENTS, value_type=bytes, key_type=bytes)
    outcomes_topic = app.topic(topics.OUTCOMES, value_type=bytes, key_type=bytes)

    async def extract(article: Article, message: Any) -> list[Output]:
        try:
            processed = await asyncio.to_thread(
                process_articles,
                extractor,
                [article],
                languages=settings.extractor_languages,
                max_chars=settings.extractor_max_chars,
                now=datetime.now(UTC),
            )
        except ArticleTooLarge as exc:
            m.ARTICLES_SKIPPED.labels(reason="too_large").inc()
            raise Rejected("too_large", exc) from exc
        outputs: list[Output] = []
        for item in processed:
            outputs += [
                Output(events_topic, event_key(event), encode(event), functools.partial(_count_event, event))
                for event in item.events
            ]
            counted = functools.partial(_count_outcome, item.outcome)
            outputs.append(Output(outcomes_topic, item.article.article_id.encode(), encode(item.outcome), counted))
        return outputs

    stage = Stage(
        STAGE,
        Article,
        extract,
        dlq_topic=app.topic(topics.ARTICLES_DLQ, value_type=bytes, key_type=bytes),
        error_reason="extraction_error",
        log=log,
        ingested_at=lambda article: article.ingested_at,
        send=send,
    )
    stage.declare(app, articles, agent_name=AGENT)
    return app


def main(argv: list[str] | None = None) -> int:
    """Run the extractor service until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="powderkeg extractor",
        description="Consume articles from Kafka, extract events with spaCy, produce events, outcomes, dead letters. "
        "Configured by POWDERKEG_* environment variables (see .env.example).",
    )
    parser.add_argument("--log-level", type=str.upper, choices=LEVELS, help="Override POWDERKEG_LOG_LEVEL.")
    args = parser.parse_args(argv)
    settings = load_settings(ExtractorSettings)
    configure_logging(args.log_level or settings.log_level, json_lines=settings.log_json, service=STAGE)
    try:
        ensure_topics(settings.kafka_bootstrap, topics.ALL_TOPICS, partitions=settings.topic_partitions, kafka=settings)
    except RuntimeError as exc:  # the broker did not answer: say so in one line, no traceback
        log.error("%s", exc)
        return EXIT_NO_BROKER
    extractor = configured_extractor(settings)
    app = build_app(settings, extractor)
    log.info("extractor %s consuming %s from %s", extractor.version, topics.ARTICLES, settings.kafka_bootstrap)
    return run_worker(
        app,
        settings,
        service=STAGE,
        metrics_port=settings.extractor_metrics_port,
        loglevel=args.log_level or settings.log_level,
        source_topics=(topics.ARTICLES,),
    )
