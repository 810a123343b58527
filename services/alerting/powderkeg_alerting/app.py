"""The alerting service: a faust agent from ``powderkeg.events.v2`` to ``powderkeg.alerts.v2``, plus delivery.

Per message, in order: decode the EventRecord (bad bytes -> dead letter with the reason), evaluate it in the engine
(failure -> dead letter), produce every raised/updated/resolved Alert keyed by ``alert_id`` and wait for the broker's
ack, queue it for Alertmanager and webhooks, and only then let faust ack the source offset. Engine state lives in
changelog-backed tables (see :mod:`powderkeg_alerting.tables`), so a restart neither forgets open alerts nor raises
them again: a replayed event is a duplicate by ``event_id``.
"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import faust
from aiokafka.errors import KafkaError as AIOKafkaError
from faust.exceptions import FaustError

from powderkeg_alerting import metrics as m
from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_alerting.core.index import IndexParams
from powderkeg_alerting.core.rules import load_rules
from powderkeg_alerting.settings import AlertingSettings
from powderkeg_alerting.sinks import AlertmanagerSink, Delivery, RetryPolicy, Sink, WebhookSink
from powderkeg_alerting.sinks.dispatcher import Dispatcher
from powderkeg_alerting.tables import build_store
from powderkeg_contracts import Alert, AlertStatus, EventRecord, topics
from powderkeg_runtime.codec import DecodeError, decode, encode
from powderkeg_runtime.dlq import dead_letter
from powderkeg_runtime.kafka_admin import ensure_topics
from powderkeg_runtime.lag import sample_consumer_lag
from powderkeg_runtime.logs import configure_logging
from powderkeg_runtime.produce import send_counted
from powderkeg_runtime.replay import crash_for_replay
from powderkeg_runtime.worker import make_app, run_worker

log = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (FaustError, AIOKafkaError)
"""Errors of faust or the broker (e.g. a table write whose changelog cannot be produced) raised from inside the
engine's table access: the event is fine, so they crash the worker (replay) instead of dead-lettering the event."""

STAGE: Final = "alerting"
ADVANCE_EVERY = timedelta(minutes=1)
"""Resolution sweeps run when event time has moved this far, not on every event (a sweep visits every episode)."""


def build_sinks(settings: AlertingSettings) -> list[Sink]:
    sinks: list[Sink] = []
    if settings.alerting_alertmanager_url:
        sinks.append(AlertmanagerSink(settings.alerting_alertmanager_url))
    sinks.extend(WebhookSink(hook.name, hook.url, hook.secret) for hook in settings.alerting_webhooks)
    return sinks


def _count_attempt(sink: str, *, retried: bool) -> None:
    m.ALERT_DELIVERY_ATTEMPTS.labels(sink=sink).inc()
    if retried:
        m.ALERT_DELIVERY_RETRIES.labels(sink=sink).inc()


def _count_result(result: Delivery) -> None:
    if not result.ok:
        m.ALERT_DELIVERY_FAILURES.labels(sink=result.sink).inc()


class AlertingService:
    """The faust app, the engine over its tables, and the delivery dispatcher; ``overrides`` go to ``make_app``."""

    def __init__(self, settings: AlertingSettings, *, sinks: list[Sink] | None = None, **overrides: Any) -> None:
        self.settings = settings
        self.app = make_app(settings.alerting_app_id, settings, **overrides)
        self.engine = AlertEngine(
            load_rules(settings.alerting_rules_path),
            store=build_store(self.app),
            index_params=IndexParams(
                fast_half_life_hours=settings.alerting_fast_half_life_hours,
                slow_half_life_hours=settings.alerting_slow_half_life_hours,
            ),
        )
        self.sinks = build_sinks(settings) if sinks is None else sinks
        policy = RetryPolicy(
            attempts=settings.alerting_delivery_attempts,
            base_delay=settings.alerting_delivery_backoff_seconds,
            max_delay=settings.alerting_delivery_max_backoff_seconds,
            timeout=settings.alerting_delivery_timeout_seconds,
        )
        self.dispatcher = Dispatcher(self.sinks, policy, on_attempt=_count_attempt, on_result=_count_result)
        self._advanced_to: datetime | None = None
        self._declare()

    def _declare(self) -> None:
        app = self.app
        events = app.topic(topics.EVENTS, value_type=bytes, key_type=bytes)
        self.alerts_topic = app.topic(topics.ALERTS, value_type=bytes, key_type=bytes)
        self.dlq_topic = app.topic(topics.EVENTS_DLQ, value_type=bytes, key_type=bytes)

        # concurrency=1: with more, faust can commit past a message still in flight and a crash loses it (#606).
        @app.agent(events, concurrency=1, name="evaluate-events")
        async def evaluate_events(stream: faust.StreamT[bytes]) -> None:
            async for event in stream.events():
                try:
                    await self.handle(event.message)
                except Exception:  # cannot produce or dead-letter (broker down): exit so the event is replayed
                    log.exception("could not process or dead-letter %s@%s", event.message.topic, event.message.offset)
                    where = f"{event.message.topic}@{event.message.offset}"
                    crash_for_replay(log, f"{where} neither processed nor dead-lettered")

        self.agent = evaluate_events

        @app.task  # type: ignore[untyped-decorator]  # faust's decorators are untyped
        async def deliver_alerts() -> None:
            await self.dispatcher.run()

        @app.timer(interval=2.0)  # type: ignore[untyped-decorator]  # faust's decorators are untyped
        async def report_gauges() -> None:
            sample_consumer_lag(app, m.CONSUMER_LAG)
            self.export_gauges()

        @app.timer(interval=self.settings.alerting_resend_interval_seconds)  # type: ignore[untyped-decorator]
        async def resend_open_alerts() -> None:
            managers = [s for s in self.sinks if isinstance(s, AlertmanagerSink)]
            for alert in self.engine.open_alerts() if managers else []:
                self.dispatcher.submit(alert, managers)

    def export_gauges(self) -> None:
        """Index of the top-N pairs (others are removed, bounding the label set) and open alerts by signal."""
        now = self.engine.watermark
        m.PAIR_ESCALATION_INDEX.clear()
        if now is not None:
            for pair, value in self.engine.index.top(now, self.settings.alerting_top_pairs):
                if value > 0:  # a pair whose conflict mass has decayed to nothing is not worth a series
                    m.PAIR_ESCALATION_INDEX.labels(pair=pair).set(value)
        counts = {rule.name: 0 for rule in self.engine.rules.signals}
        for alert in self.engine.open_alerts():
            counts[alert.signal] = counts.get(alert.signal, 0) + 1
        for signal, count in counts.items():
            m.OPEN_ALERTS.labels(signal=signal).set(count)

    async def _send(self, topic: Any, key: bytes, value: bytes, headers: Any = None) -> None:
        await send_counted(topic, key, value, headers)

    async def _dead_letter(self, message: Any, error: BaseException, reason: str) -> None:
        await dead_letter(message, error, reason, stage=STAGE, dlq_topic=self.dlq_topic, log=log, send=self._send)

    def evaluate(self, record: EventRecord, received_at: datetime | None) -> list[Alert]:
        """Engine step for one event: its alerts, then resolutions once event time has moved on enough."""
        evaluation = self.engine.evaluate(record, received_at)
        m.EVENTS_EVALUATED.labels(outcome=evaluation.outcome.value).inc()
        # A redelivered event re-publishes the current (unchanged) state of its open alerts: if the worker crashed
        # after saving state but before the alert reached the broker, this is how the alert gets out. Consumers see
        # the same alert_id and revision again, which the contract makes harmless.
        alerts = list(evaluation.alerts or evaluation.current)
        now = self.engine.watermark
        if now is not None and (self._advanced_to is None or now - self._advanced_to >= ADVANCE_EVERY):
            self._advanced_to = now
            alerts.extend(self.engine.advance(now))
        return alerts

    async def handle(self, message: Any) -> None:
        m.MESSAGES_CONSUMED.labels(topic=message.topic).inc()
        m.PROCESSING_ATTEMPTS.labels(stage=STAGE).inc()
        started = time.perf_counter()
        try:
            record = decode(EventRecord, message.value)
        except DecodeError as exc:
            await self._dead_letter(message, exc, exc.kind)
            return
        received = datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else None
        try:
            alerts = self.evaluate(record, received)
        except INFRASTRUCTURE_ERRORS:
            raise  # a table's changelog could not be written: crash and replay, this event is not at fault
        except Exception as exc:  # an engine bug: dead-letter with the reason rather than ack the event silently
            await self._dead_letter(message, exc, "engine_error")
            return
        for alert in alerts:
            await self._send(self.alerts_topic, alert.alert_id.encode(), encode(alert))
            m.ALERTS.labels(signal=alert.signal, severity=alert.severity.value, status=alert.status.value).inc()
            self.dispatcher.submit(alert)
            if alert.status is not AlertStatus.RESOLVED:
                log.info("%s %s r%d: %s", alert.status.value, alert.alert_id, alert.revision, alert.summary)
        if record.ingested_at is not None:
            m.END_TO_END_SECONDS.labels(stage=STAGE).observe(
                max(0.0, (datetime.now(UTC) - record.ingested_at).total_seconds())
            )
        m.PROCESSING_SECONDS.labels(stage=STAGE).observe(time.perf_counter() - started)
        m.LAST_PROCESSED.labels(stage=STAGE).set(time.time())


def main(argv: list[str] | None = None) -> int:
    """Run the alerting service until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="powderkeg alerting",
        description="Consume events from Kafka, raise, update and resolve alerts per pair of sides and signal, produce "
        f"them to {topics.ALERTS} and deliver them to Alertmanager and signed webhooks. Configured by POWDERKEG_* "
        "environment variables (see .env.example and docs/alerting.md).",
    )
    parser.add_argument("--log-level", default=None, help="Override POWDERKEG_LOG_LEVEL.")
    args = parser.parse_args(argv)
    settings = AlertingSettings()
    level = args.log_level or settings.log_level
    configure_logging(level, json_lines=settings.log_json)
    ensure_topics(settings.kafka_bootstrap, topics.ALL_TOPICS, partitions=settings.topic_partitions)
    service = AlertingService(settings)
    app = service.app
    log.info(
        "alerting consuming %s from %s; sinks: %s",
        topics.EVENTS,
        settings.kafka_bootstrap,
        ", ".join(s.name for s in service.sinks) or "none",
    )
    return run_worker(
        app,
        settings,
        service=STAGE,
        metrics_port=settings.alerting_metrics_port,
        loglevel=level,
        source_topics=(topics.EVENTS,),
    )
