"""The alerting service: the stage from ``powderkeg.events.v2`` to ``powderkeg.alerts.v2``, plus delivery.

The runtime's stage skeleton (:mod:`powderkeg_runtime.stage`) decodes each EventRecord, dead-letters what cannot be
decoded or evaluated, produces every raised/updated/resolved Alert keyed by ``alert_id``, every send acknowledged, and
only then lets faust ack the offset. This file wires it: the handler evaluates the event in the engine, and each
alert is queued for Alertmanager and webhooks once the broker has it. Engine state lives in changelog-backed tables
(see :mod:`powderkeg_alerting.tables`), so a restart neither forgets open alerts nor raises them again: a replayed
event is a duplicate by ``event_id``.
"""

from __future__ import annotations

import argparse
import functools
import logging
from datetime import UTC, datetime
from typing import Any, Final

from aiokafka.errors import KafkaError as AIOKafkaError
from faust.exceptions import ConsumerNotStarted, FaustError

from powderkeg_alerting import metrics as m
from powderkeg_alerting.core.engine import AlertEngine
from powderkeg_alerting.core.index import IndexParams
from powderkeg_alerting.core.rules import load_rules
from powderkeg_alerting.settings import AlertingSettings
from powderkeg_alerting.sinks import AlertmanagerSink, Delivery, RetryPolicy, Sink, WebhookSink
from powderkeg_alerting.sinks.dispatcher import Dispatcher
from powderkeg_alerting.tables import build_store
from powderkeg_contracts import Alert, AlertStatus, EventRecord, topics
from powderkeg_runtime.codec import encode
from powderkeg_runtime.kafka_admin import ensure_topics
from powderkeg_runtime.logs import LEVELS, configure_logging
from powderkeg_runtime.produce import Send
from powderkeg_runtime.settings import load_settings
from powderkeg_runtime.stage import Output, Stage
from powderkeg_runtime.worker import EXIT_NO_BROKER, make_app, run_worker

log = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (FaustError, AIOKafkaError)
"""Errors of faust or the broker (e.g. a table write whose changelog cannot be produced) raised from inside the
engine's table access: the event is fine, so they crash the worker (replay) instead of dead-lettering the event."""

STAGE: Final = "alerting"


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

    def __init__(
        self,
        settings: AlertingSettings,
        *,
        sinks: list[Sink] | None = None,
        send: Send | None = None,
        **overrides: Any,
    ) -> None:
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
        self.alerts_topic = self.app.topic(topics.ALERTS, value_type=bytes, key_type=bytes)
        self.stage = Stage(
            STAGE,
            EventRecord,
            self.handle,
            dlq_topic=self.app.topic(topics.EVENTS_DLQ, value_type=bytes, key_type=bytes),
            error_reason="engine_error",
            log=log,
            crash_on=INFRASTRUCTURE_ERRORS,
            ingested_at=lambda record: record.ingested_at,
            send=send,
        )
        events = self.app.topic(topics.EVENTS, value_type=bytes, key_type=bytes)
        self.agent = self.stage.declare(self.app, events, agent_name="evaluate-events")
        self._declare_tasks()

    def _declare_tasks(self) -> None:
        app = self.app

        # A partition this worker held before may have been moved on by another worker meanwhile: its cached
        # watermark is rebuilt from the (recovered) seen table at its next event.
        app.on_partitions_revoked.connect(self._forget_watermarks)
        app.on_partitions_assigned.connect(self._forget_watermarks)

        @app.task  # type: ignore[untyped-decorator]  # faust's decorators are untyped
        async def deliver_alerts() -> None:
            await self.dispatcher.run()

        @app.timer(interval=2.0)  # type: ignore[untyped-decorator]  # faust's decorators are untyped
        async def report_gauges() -> None:
            self.export_gauges()

        @app.timer(interval=self.settings.alerting_resend_interval_seconds)  # type: ignore[untyped-decorator]
        async def resend_open_alerts() -> None:
            managers = [s for s in self.sinks if isinstance(s, AlertmanagerSink)]
            for alert in self.engine.open_alerts(self.active_partitions()) if managers else []:
                self.dispatcher.submit(alert, managers)

    def _forget_watermarks(self, sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        self.engine.forget_watermarks()

    def export_gauges(self) -> None:
        """Index of the top-N pairs (others are removed, bounding the label set) and open alerts by signal."""
        now = self.engine.watermark
        m.PAIR_ESCALATION_INDEX.clear()
        if now is not None:
            for pair, value in self.engine.index.top(now, self.settings.alerting_top_pairs):
                if value > 0:  # a pair whose conflict mass has decayed to nothing is not worth a series
                    m.PAIR_ESCALATION_INDEX.labels(pair=pair).set(value)
        counts = {rule.name: 0 for rule in self.engine.rules.signals}
        for alert in self.engine.open_alerts(self.active_partitions()):
            counts[alert.signal] = counts.get(alert.signal, 0) + 1
        for signal, count in counts.items():
            m.OPEN_ALERTS.labels(signal=signal).set(count)

    def active_partitions(self) -> set[int] | None:
        """The events partitions this worker processes now (not the standby copies its tables also hold).

        None (every partition) before the consumer has started, when the tables are still empty. Called from the
        worker's loop only (timers), where faust's consumer is safe to use."""
        try:
            assignment = self.app.consumer.assignment()
        except ConsumerNotStarted:
            return None
        return {tp.partition for tp in assignment if tp.topic == topics.EVENTS}

    def evaluate(self, record: EventRecord, received_at: datetime | None, partition: int | None = None) -> list[Alert]:
        """Engine step for one event: its alerts, then resolutions of its partition once event time has moved on.

        State is owned by the input partition (tables are co-partitioned with the events topic), so N workers in one
        group each keep whole alert episodes: the extractor keys events by pair of sides, one pair is one partition.
        """
        evaluation, resolved = self.engine.step(record, received_at, partition)
        m.EVENTS_EVALUATED.labels(outcome=evaluation.outcome.value).inc()
        # A redelivered event re-publishes the current (unchanged) state of its open alerts: if the worker crashed
        # after saving state but before the alert reached the broker, this is how the alert gets out. Consumers see
        # the same alert_id and revision again, which the contract makes harmless.
        return [*(evaluation.alerts or evaluation.current), *resolved]

    async def handle(self, record: EventRecord, message: Any) -> list[Output]:
        """The stage's handler: the engine's alerts for one event, each delivered once the broker has it."""
        received = datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else None
        alerts = self.evaluate(record, received, message.partition)
        return [
            Output(self.alerts_topic, alert.alert_id.encode(), encode(alert), functools.partial(self._sent, alert))
            for alert in alerts
        ]

    def _sent(self, alert: Alert) -> None:
        m.ALERTS.labels(signal=alert.signal, severity=alert.severity.value, status=alert.status.value).inc()
        self.dispatcher.submit(alert)
        if alert.status is not AlertStatus.RESOLVED:
            log.info("%s %s r%d: %s", alert.status.value, alert.alert_id, alert.revision, alert.summary)


def main(argv: list[str] | None = None) -> int:
    """Run the alerting service until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="powderkeg alerting",
        description="Consume events from Kafka, raise, update and resolve alerts per pair of sides and signal, produce "
        f"them to {topics.ALERTS} and deliver them to Alertmanager and signed webhooks. Configured by POWDERKEG_* "
        "environment variables (see .env.example and docs/alerting.md).",
    )
    parser.add_argument("--log-level", type=str.upper, choices=LEVELS, help="Override POWDERKEG_LOG_LEVEL.")
    args = parser.parse_args(argv)
    settings = load_settings(AlertingSettings)
    level = args.log_level or settings.log_level
    configure_logging(level, json_lines=settings.log_json, service=STAGE)
    try:
        ensure_topics(settings.kafka_bootstrap, topics.ALL_TOPICS, partitions=settings.topic_partitions, kafka=settings)
    except RuntimeError as exc:  # the broker did not answer: say so in one line, no traceback
        log.error("%s", exc)
        return EXIT_NO_BROKER
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
