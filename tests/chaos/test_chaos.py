"""Chaos: thousands of articles through the real broker while every service is SIGKILLed and the broker restarts.

What runs: two ``powderkeg extractor`` and two ``powderkeg alerting`` workers (``POWDERKEG_CHAOS_WORKERS``), each
pair sharing one fresh consumer group (started at the topics' current end), and ``powderkeg ingest`` as one batch
process per chunk of a JSONL file, paced so that the pipeline is busy for the whole chaos window. A seeded schedule
SIGKILLs ingest, an extractor and an alerting worker twice each at random moments (each is restarted at once, as a
supervisor would) and kills and restarts the broker
once. Then, for this run's article ids only (unique prefix):

- every article has an outcome on ``powderkeg.outcomes.v1`` or a dead letter (``lost`` = those with neither);
- the events topic, read as the consumer's deduplicated view (one entry per ``event_id``), has no conflicting
  duplicates: every copy of an event id carries identical content. Copies are expected (at-least-once redelivery:
  ``total`` >= ``distinct``); a *conflicting* copy would mean ids are not deterministic. Content is compared without
  ``ingested_at``, the time ingest accepted the article, which is re-stamped when ingest itself re-sends an
  article it had not checkpointed;
- every event id an outcome lists is on the events topic (events are produced before their outcome);
- no alert was raised twice: per ``alert_id`` (one per pair of sides and signal episode) every ``raised`` record is
  identical;
- both consumer groups end with zero lag (committed offsets equal end offsets);
- a stream of hostile messages sent during the faults (oversized garbage, deep nesting, a huge integer, binary
  junk, lone surrogates, a future-dated article; ``tests/support/hostile_stream.py``) each has its dead letter with
  its reason (or, for the valid future-dated article, its outcome), while alerting's only webhook never answers.

Counts and time are bounded (2,000 articles, 7 faults, a deadline); the figures are printed (`pytest -s` or
`make chaos`). The seed is random unless POWDERKEG_CHAOS_SEED is set, and printed so a failing run can be replayed.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from powderkeg_contracts import Alert, AlertStatus, ArticleOutcome, DeadLetter, EventRecord, topics
from powderkeg_runtime.codec import DecodeError, decode
from powderkeg_runtime.kafka_admin import start_group_at_end
from tests.support.articles import ChaosArticle, make_articles
from tests.support.hostile_stream import HostileFeeder, hostile_messages, hostile_problems, letter_ident
from tests.support.kafka import end_offsets, group_lag, group_offsets, read_topics
from tests.support.net import free_port
from tests.support.polling import wait_for
from tests.support.services import ServiceProcess, service_env

pytestmark = [pytest.mark.integration, pytest.mark.chaos, pytest.mark.slow, pytest.mark.timeout(720)]

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "deploy" / "stack.sh"

ARTICLES = int(os.environ.get("POWDERKEG_CHAOS_ARTICLES", "2000"))
CHUNKS = 5
WORKERS = int(os.environ.get("POWDERKEG_CHAOS_WORKERS", "2"))
"""Workers per service (extractor, alerting), each group sharing the partitions; a kill hits one at random."""
CHUNK_PERIOD_S = 12.0
"""One ingest run per chunk, started at most this often: the input arrives over a minute, not all at once."""
WINDOW_S = (4.0, 62.0)
"""Faults happen at random moments in this window (seconds after the feed starts)."""
FAULTS = ("ingest", "ingest", "extractor", "extractor", "alerting", "alerting", "broker")
DRAIN_TIMEOUT_S = 200.0
WATCHED = {topics.OUTCOMES, topics.EVENTS, topics.ALERTS, topics.ARTICLES_DLQ, topics.INGEST_DLQ, topics.EVENTS_DLQ}


@dataclass
class Fault:
    at: float
    target: str
    done_at: float | None = None


def fault_schedule(rng: random.Random) -> list[Fault]:
    """One fault per slot of the window, in shuffled order, at a random moment early in its slot."""
    order = list(FAULTS)
    rng.shuffle(order)
    slot = (WINDOW_S[1] - WINDOW_S[0]) / len(order)
    return [Fault(WINDOW_S[0] + i * slot + rng.uniform(0.0, 0.7 * slot), target) for i, target in enumerate(order)]


class Feeder:
    """Runs ``powderkeg ingest <chunk>.jsonl`` for each chunk in turn; a killed or failed run is re-run."""

    def __init__(self, chunks: list[Path], env: dict[str, str], logs: Path, state_dir: Path) -> None:
        self.chunks = chunks
        self.env = env
        self.logs = logs
        self.state_dir = state_dir
        self.index = 0
        self.proc: ServiceProcess | None = None
        self.started_at = 0.0
        self.exit_codes: list[int] = []

    @property
    def done(self) -> bool:
        return self.index >= len(self.chunks) and not (self.proc and self.proc.alive)

    def step(self, now: float, feed_start: float) -> None:
        if self.proc is not None and self.proc.alive:
            return
        if self.proc is not None:
            code = self.proc.proc.returncode if self.proc.proc else -1
            self.exit_codes.append(code)
            self.proc = None
            if code in (0, 3):  # 3: some lines rejected (dead-lettered), the rest published
                self.index += 1
            else:  # killed (-9) or the broker did not acknowledge (1): run the same chunk again
                time.sleep(0.5 if code != -9 else 0.0)
        if self.index >= len(self.chunks) or now < feed_start + self.index * CHUNK_PERIOD_S:
            return
        args = ["ingest", "--no-progress", "--metrics-port", "0", "--state-dir", str(self.state_dir)]
        chunk = self.chunks[self.index]
        self.proc = ServiceProcess(f"ingest {chunk.name}", [*args, str(chunk)], self.env, self.logs).start()
        self.started_at = now

    def rerun_last(self) -> None:
        """Re-ingest the last chunk (all exact duplicates): gives a pending ingest kill a live target."""
        self.index = len(self.chunks) - 1


def write_chunks(articles: list[ChaosArticle], folder: Path) -> list[Path]:
    size = -(-len(articles) // CHUNKS)
    paths = []
    for number in range(CHUNKS):
        path = folder / f"chunk-{number:02d}.jsonl"
        lines = [json.dumps(a.record()) for a in articles[number * size : (number + 1) * size]]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def restart_broker() -> None:
    subprocess.run(["bash", str(STACK), "kafka-kill"], check=True, capture_output=True, timeout=60)
    subprocess.run(["bash", str(STACK), "kafka-start"], check=True, capture_output=True, timeout=180)


def collect(bootstrap: str, start: dict, prefix: str) -> dict[str, list]:
    """This run's outcomes, dead letters, events and alerts, read from where the topics ended before the run."""
    found: dict[str, list] = defaultdict(list)
    for record in read_topics(bootstrap, WATCHED, start=start):
        if record.topic == topics.OUTCOMES:
            if record.key and record.key.decode().startswith(prefix):
                found["outcomes"].append(decode(ArticleOutcome, record.value))
        elif record.topic == topics.EVENTS:
            try:
                event = decode(EventRecord, record.value)
            except DecodeError:  # the hostile stream's garbage on the events topic: judged by its dead letter
                continue
            if event.article_id.startswith(prefix):
                found["events"].append(event)
        elif record.topic == topics.ALERTS:
            alert = decode(Alert, record.value)
            if any(a.startswith(prefix) for a in alert.article_ids):
                found["alerts"].append(alert)
        else:
            letter = decode(DeadLetter, record.value)
            ident = letter_ident(letter)
            if ident.startswith(prefix):
                found["dead_letters"].append((ident, letter))
    return found


def accounted(bootstrap: str, start: dict, prefix: str) -> set[str]:
    ids = set()
    for record in read_topics(bootstrap, [topics.OUTCOMES, topics.ARTICLES_DLQ], start=start):
        if record.key and record.key.decode(errors="replace").startswith(prefix):
            ids.add(record.key.decode())
    return ids


def test_nothing_lost_nothing_doubled_under_kills_and_a_broker_restart(
    kafka_bootstrap: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = int(os.environ.get("POWDERKEG_CHAOS_SEED", str(random.randrange(1_000_000))))
    rng = random.Random(seed)
    run = f"chaos-{uuid.uuid4().hex[:8]}"
    prefix = f"{run}-"
    with capsys.disabled():
        print(f"\nchaos: seed {seed} (replay with POWDERKEG_CHAOS_SEED={seed}), run {run}, {ARTICLES} articles")
    started = time.monotonic()

    articles = make_articles(ARTICLES, seed=seed, prefix=prefix)
    chunks = write_chunks(articles, tmp_path)
    silent = socket.socket()  # a webhook that accepts connections and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    hook = {"name": "silent", "url": f"http://127.0.0.1:{silent.getsockname()[1]}/hook", "secret": "x"}
    env = service_env(kafka_bootstrap, run, POWDERKEG_ALERTING_WEBHOOKS=json.dumps([hook]))
    hostile = HostileFeeder(kafka_bootstrap, hostile_messages(prefix))
    start_group_at_end(kafka_bootstrap, env["POWDERKEG_EXTRACTOR_APP_ID"], [topics.ARTICLES])
    start_group_at_end(kafka_bootstrap, env["POWDERKEG_ALERTING_APP_ID"], [topics.EVENTS])
    start = end_offsets(kafka_bootstrap, WATCHED)

    workers: dict[str, ServiceProcess] = {}
    for service in ("extractor", "alerting"):
        for n in range(WORKERS):
            port = free_port()
            workers[f"{service}-{n}"] = ServiceProcess(
                f"{service}-{n}",
                [service],
                {**env, f"POWDERKEG_{service.upper()}_METRICS_PORT": str(port)},
                tmp_path / f"{service}-{n}.log",
                port,
            )
    feeder = Feeder(chunks, env, tmp_path / "ingest.log", tmp_path / "ingest-state")
    schedule = fault_schedule(rng)
    kills = {"ingest": 0, "extractor": 0, "alerting": 0}
    broker_restarts = 0
    unexpected_exits = {name: 0 for name in workers}

    def supervise() -> None:
        """A worker that died on its own (exit 75 asks for a replay) is restarted, as a supervisor would; counted."""
        for name, worker in workers.items():
            if not worker.alive:
                unexpected_exits[name] += 1
                worker.start()

    try:
        for worker in workers.values():
            worker.start()
        for worker in workers.values():
            worker.wait_ready()
        feed_start = time.monotonic()
        ingest_kill_after = rng.uniform(1.0, 3.0)
        deadline = feed_start + 300
        while time.monotonic() < deadline and not (feeder.done and hostile.done and all(f.done_at for f in schedule)):
            now = time.monotonic()
            feeder.step(now, feed_start)
            hostile.step(now, feed_start)
            supervise()
            for fault in schedule:
                if fault.done_at is not None or now - feed_start < fault.at:
                    continue
                if fault.target == "broker":
                    restart_broker()
                    broker_restarts += 1
                elif fault.target == "ingest":
                    live = feeder.proc is not None and feeder.proc.alive
                    if not live and feeder.done:
                        feeder.rerun_last()
                    if not live or now - feeder.started_at < ingest_kill_after:
                        break  # wait for a live ingest run that is well into its chunk
                    assert feeder.proc is not None
                    feeder.proc.kill()
                    ingest_kill_after = rng.uniform(1.0, 3.0)
                    kills["ingest"] += 1
                else:
                    victim = workers[f"{fault.target}-{rng.randrange(WORKERS)}"]  # one of the group's workers
                    victim.kill()
                    kills[fault.target] += 1
                    victim.start()
                fault.done_at = now - feed_start
                break
            time.sleep(0.1)
        feed_end = time.monotonic()
        assert feeder.done, f"ingest did not finish its chunks: exit codes {feeder.exit_codes}"

        expected = {a.article_id for a in articles}
        groups = {env["POWDERKEG_EXTRACTOR_APP_ID"]: topics.ARTICLES, env["POWDERKEG_ALERTING_APP_ID"]: topics.EVENTS}
        lags: dict[str, int] = {}

        def drained() -> bool:
            supervise()
            for group, topic in groups.items():
                lags[group] = group_lag(kafka_bootstrap, group, [topic])[topic]
            return not any(lags.values())

        try:
            wait_for(
                lambda: (supervise(), expected <= accounted(kafka_bootstrap, start, prefix))[1],
                DRAIN_TIMEOUT_S,
                "an outcome or dead letter for every article",
                every_s=3.0,
            )
            wait_for(drained, 120, "both consumer groups to reach zero lag", every_s=2.0)
        except AssertionError as exc:
            # Say enough to diagnose a stuck group from the CI output alone: lag per partition, who is alive, and
            # the end of each worker's log.
            detail = [str(exc)]
            for group, topic in groups.items():
                committed = group_offsets(kafka_bootstrap, group)
                per_partition = {
                    tp.partition: end - (committed[tp].offset if tp in committed else 0)
                    for tp, end in end_offsets(kafka_bootstrap, [topic]).items()
                }
                detail.append(f"{group} lag by partition {per_partition}")
            detail.append(f"unexpected exits {unexpected_exits}, kills {kills}, broker restarts {broker_restarts}")
            for worker in workers.values():
                state = f"alive={worker.alive}, starts={worker.starts}"
                detail.append(f"--- {worker.name}: {state}\n{worker.log_tail(2500)}")
            raise AssertionError("\n".join(detail)) from None
        elapsed = time.monotonic() - started
    finally:
        for worker in workers.values():
            worker.stop_quietly()
        if feeder.proc is not None:
            feeder.proc.stop_quietly()
        silent.close()

    found = collect(kafka_bootstrap, start, prefix)
    outcome_ids = {o.article_id for o in found["outcomes"]}
    letter_ids = {ident for ident, _ in found["dead_letters"]}
    lost = sorted(expected - outcome_ids - letter_ids)
    letters_by_id: dict[str, list[DeadLetter]] = defaultdict(list)
    for ident, letter in found["dead_letters"]:
        letters_by_id[ident].append(letter)
    hostile_wrong = hostile_problems(hostile.sent, letters_by_id, outcome_ids)

    outcome_views: dict[str, set[str]] = defaultdict(set)
    for outcome in found["outcomes"]:
        outcome_views[outcome.article_id].add(outcome.model_dump_json(exclude={"processed_at"}))
    conflicting_outcomes = sorted(a for a, views in outcome_views.items() if len(views) > 1)

    event_views: dict[str, set[str]] = defaultdict(set)
    for event in found["events"]:
        event_views[event.event_id].add(event.model_dump_json(exclude={"ingested_at"}))
    conflicting_events = sorted(e for e, views in event_views.items() if len(views) > 1)
    listed = {e for o in found["outcomes"] for e in o.event_ids}
    listed_missing = sorted(listed - set(event_views))

    raised: dict[str, set[str]] = defaultdict(set)
    raised_records = 0
    revisions: dict[tuple[str, int], set[str]] = defaultdict(set)
    for alert in found["alerts"]:
        revisions[(alert.alert_id, alert.revision)].add(alert.model_dump_json())
        if alert.status is AlertStatus.RAISED:
            raised_records += 1
            raised[alert.alert_id].add(alert.model_dump_json())
    conflicting_raised = sorted(a for a, views in raised.items() if len(views) > 1)
    conflicting_revisions = sorted(k for k, views in revisions.items() if len(views) > 1)

    figures = {
        "seed": seed,
        "articles in": len(expected),
        "outcomes (distinct articles)": len(outcome_ids),
        "outcome records": len(found["outcomes"]),
        "dead-lettered articles": len(letter_ids),
        "lost": len(lost),
        "hostile messages sent (send retries)": f"{len(hostile.sent)} ({hostile.failed_sends})",
        "hostile messages not handled as required": f"{len(hostile_wrong)} {hostile_wrong[:3] or ''}",
        "conflicting outcomes": len(conflicting_outcomes),
        "event records": len(found["events"]),
        "distinct event ids": len(event_views),
        "redelivered event copies": len(found["events"]) - len(event_views),
        "duplicate events (conflicting)": len(conflicting_events),
        "outcome event ids missing from events": len(listed_missing),
        "alert records": len(found["alerts"]),
        "raised records": raised_records,
        "distinct raised alerts": len(raised),
        "duplicate alerts (conflicting raised)": len(conflicting_raised),
        "alert revisions with conflicting content": len(conflicting_revisions),
        "workers per service": WORKERS,
        "kills done": f"ingest {kills['ingest']}, extractor {kills['extractor']}, alerting {kills['alerting']}",
        "broker restarts": broker_restarts,
        "unexpected service exits": ", ".join(f"{name} {count}" for name, count in unexpected_exits.items()),
        "ingest exit codes": " ".join(map(str, feeder.exit_codes)),
        "fault times (s after feed start)": ", ".join(f"{f.target}@{f.done_at:.1f}" for f in schedule if f.done_at),
        "feed duration (s)": round(feed_end - feed_start, 1),
        "final lag": lags,
        "elapsed (s)": round(elapsed, 1),
    }
    with capsys.disabled():
        print("chaos figures:")
        for name, value in figures.items():
            print(f"  {name:<42} {value}")
        print(f"  logs in {tmp_path}")

    assert kills == {"ingest": 2, "extractor": 2, "alerting": 2} and broker_restarts == 1, figures
    assert not lost, f"{len(lost)} articles lost, e.g. {lost[:5]}"
    assert not conflicting_outcomes, conflicting_outcomes[:5]
    assert not conflicting_events, f"event ids with different content: {conflicting_events[:5]}"
    assert not listed_missing, f"outcomes list events never produced: {listed_missing[:5]}"
    assert not conflicting_raised, f"alerts raised twice with different content: {conflicting_raised[:5]}"
    assert not conflicting_revisions, f"alert revisions published with different content: {conflicting_revisions[:5]}"
    assert raised, "no alert was raised at all: the check above would be vacuous"
    assert found["events"] and len(outcome_ids) > len(expected) // 2
    assert not any(lags.values()), lags
    assert hostile.done and not hostile_wrong, hostile_wrong
