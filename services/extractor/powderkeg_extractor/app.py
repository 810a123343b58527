"""The extractor service: a faust agent from ``powderkeg.articles.v1`` to ``powderkeg.events.v2``.

Per message, in order: decode the Article (bad bytes -> dead letter), extract (failure -> dead letter), produce every
EventRecord keyed by its pair of sides and then the ArticleOutcome, each send awaited until the broker acknowledges it,
and only then let faust ack the source offset. A crash anywhere before the ack replays the article; event ids are
deterministic, so the replay produces the same ids and consumers drop the duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import time
from datetime import UTC, datetime
from typing import Any, Final

import faust

from powderkeg_contracts import Article, EventRecord, topics
from powderkeg_extractor import metrics as m
from powderkeg_extractor.core.pipeline import Extractor
from powderkeg_extractor.outcome import ArticleTooLarge, process_articles
from powderkeg_extractor.settings import ExtractorSettings
from powderkeg_runtime.codec import DecodeError, decode, encode
from powderkeg_runtime.faust_support import (
    crash_for_replay,
    dead_letter,
    make_app,
    run_worker,
    sample_consumer_lag,
    send_counted,
)
from powderkeg_runtime.kafka_admin import ensure_topics
from powderkeg_runtime.logs import configure_logging

log = logging.getLogger(__name__)

STAGE: Final = "extractor"


def event_key(event: EventRecord) -> bytes:
    """Events are keyed by their pair of sides, so one pair's events stay in order on one partition."""
    return event.sides.key.encode()


def build_app(settings: ExtractorSettings, extractor: Extractor, **overrides: Any) -> faust.App:
    """Create the faust app and its agent; ``overrides`` go to :func:`make_app` (tests use them)."""
    app = make_app(settings.extractor_app_id, settings, **overrides)
    articles = app.topic(topics.ARTICLES, value_type=bytes, key_type=bytes)
    events_topic = app.topic(topics.EVENTS, value_type=bytes, key_type=bytes)
    outcomes_topic = app.topic(topics.OUTCOMES, value_type=bytes, key_type=bytes)
    dlq_topic = app.topic(topics.ARTICLES_DLQ, value_type=bytes, key_type=bytes)

    reject = functools.partial(dead_letter, stage=STAGE, dlq_topic=dlq_topic, log=log)

    async def handle(message: Any) -> None:
        m.MESSAGES_CONSUMED.labels(topic=message.topic).inc()
        m.PROCESSING_ATTEMPTS.labels(stage=STAGE).inc()
        started = time.perf_counter()
        try:
            article = decode(Article, message.value)
        except DecodeError as exc:
            await reject(message, exc, exc.kind)
            return
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
            await reject(message, exc, "too_large")
            return
        except Exception as exc:  # any extractor bug: dead-letter with the reason rather than lose the article
            await reject(message, exc, "extraction_error")
            return
        for item in processed:
            for event in item.events:
                await send_counted(events_topic, event_key(event), encode(event))
                m.EVENTS_EXTRACTED.labels(event_type=event.event_type.value, factuality=event.factuality.value).inc()
            await send_counted(outcomes_topic, item.article.article_id.encode(), encode(item.outcome))
            m.ARTICLES_OUTCOME.labels(outcome=item.outcome.status.value).inc()
            if item.outcome.status.value == "skipped":
                m.ARTICLES_SKIPPED.labels(reason=(item.outcome.reason or "unknown").split(":", 1)[0]).inc()
            m.END_TO_END_SECONDS.labels(stage=STAGE).observe(
                max(0.0, (datetime.now(UTC) - item.article.ingested_at).total_seconds())
            )
        m.PROCESSING_SECONDS.labels(stage=STAGE).observe(time.perf_counter() - started)
        m.LAST_PROCESSED.labels(stage=STAGE).set(time.time())

    # concurrency=1: with more, faust can commit past a message still in flight and a crash loses it (faust #606).
    @app.agent(articles, concurrency=1, name="extract-articles")
    async def extract_articles(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            try:
                await handle(event.message)
            except Exception:  # a failure to dead-letter (broker down): exit, so the article is replayed, not acked
                log.exception("could not process or dead-letter %s@%s", event.message.topic, event.message.offset)
                where = f"{event.message.topic}@{event.message.offset}"
                crash_for_replay(log, f"{where} neither processed nor dead-lettered")

    @app.timer(interval=2.0)  # type: ignore[untyped-decorator]  # faust's decorators are untyped
    async def report_lag() -> None:
        sample_consumer_lag(app, m.CONSUMER_LAG, topics=(topics.ARTICLES,))

    return app


def main(argv: list[str] | None = None) -> int:
    """Run the extractor service until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="powderkeg extractor",
        description="Consume articles from Kafka, extract events with spaCy, produce events, outcomes, dead letters. "
        "Configured by POWDERKEG_* environment variables (see .env.example).",
    )
    parser.add_argument("--log-level", default=None, help="Override POWDERKEG_LOG_LEVEL.")
    args = parser.parse_args(argv)
    settings = ExtractorSettings()
    configure_logging(args.log_level or settings.log_level, json_lines=settings.log_json)
    ensure_topics(settings.kafka_bootstrap, topics.ALL_TOPICS, partitions=settings.topic_partitions)
    extractor = Extractor.packaged(
        classifier=settings.extractor_classifier, classifier_workers=settings.extractor_classifier_workers
    )
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
