"""Scale-out benchmark: how fast one, then several workers of a service drain the same load through the real broker.

A benchmark, not a test: it prints figures, measured side by side in one run.

- **Extractor.** The workers start in a fresh consumer group and are ready (partitions assigned) before the articles
  are sent, all at once; the drain rate is the number of outcomes over the span from the first to the last outcome,
  so start-up is left out. Each pass sends the same articles under ids of its own.
- **Alerting.** The events the one-worker extractor pass produced, copied until there are ``--events`` of them (each
  copy with ids of its own and its times shifted by an hour, so that none is a duplicate), are sent the same way to
  fresh alerting groups; the drain rate counts evaluated events from the workers' own
  ``powderkeg_alerting_events_total``, first to last.

Only one service runs in each pass, so that the two do not share the cores. The passes run in rounds (``--rounds``:
1, 2, 1, 2, ... workers), and the table gives each count's median: one pass on a shared 2-core machine varies by 20%
or more, and a fixed order would favour the later passes. The topics need an even partition count
for two workers to split them evenly: ``make bench-scale`` starts a fresh stack with ``POWDERKEG_TOPIC_PARTITIONS=4``
(the default, 3, splits 2:1, which caps two workers at 1.5x), and sends the articles twenty times (``--repeat 20``,
1,780 articles): articles are keyed by id, so each worker's share of the work varies by chance, and the one that
finishes last decides the span; the more articles, the smaller that share of the span.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from powderkeg_cli.bench import _load_articles, _wait_ready, stop_all
from powderkeg_cli.embedded import default_voa_path
from powderkeg_contracts import ArticleOutcome, EventRecord, topics
from powderkeg_ingest.core.pipeline import IngestCore, RawArticle
from powderkeg_runtime.codec import decode, encode
from powderkeg_runtime.settings import DevDataSettings, ServiceSettings

PORT_BASE = {"extractor": 19202, "alerting": 19302}


@contextmanager
def workers(service: str, count: int, group: str, env: dict[str, str], logs: Path) -> Iterator[list[str]]:
    """``count`` workers of ``service`` in consumer group ``group``, ready; yields their metrics URLs."""
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    for n in range(count):
        port = PORT_BASE[service] + n
        worker_env = {
            **env,
            f"POWDERKEG_{service.upper()}_APP_ID": group,
            f"POWDERKEG_{service.upper()}_METRICS_PORT": str(port),
            "POWDERKEG_ALERTING_ALERTMANAGER_URL": "",
        }
        log = (logs / f"{group}-{n}.log").open("w")
        procs.append(
            subprocess.Popen([sys.executable, "-m", "powderkeg_cli.main", service], env=worker_env, stdout=log,
                             stderr=subprocess.STDOUT)
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        _wait_ready([f"{url}/readyz" for url in urls], timeout_s=180)
        time.sleep(3.0)  # let the group settle: a worker that joins late triggers a rebalance mid-drain
        yield urls
    finally:
        stop_all(procs)


def _at_end_reader(bootstrap: str, topic: str, options: dict[str, object]) -> object:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=500,
                             **options)
    parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(parts)
    consumer.seek_to_end(*parts)
    for tp in parts:
        consumer.position(tp)
    return consumer


def _read_to_end(consumer: Any, model: type[EventRecord]) -> list[EventRecord]:
    """Every record up to the partitions' end offsets as they are now (a pause in fetching does not cut it short)."""
    parts = list(consumer.assignment())
    ends = consumer.end_offsets(parts)
    out: list[EventRecord] = []
    deadline = time.monotonic() + 120.0
    while any(consumer.position(tp) < ends[tp] for tp in parts) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            out += [decode(model, record.value) for record in records]
    return out


def extractor_pass(
    bootstrap: str, raws: list[RawArticle], count: int, env: dict[str, str], logs: Path, options: dict[str, object],
    timeout_s: float,
) -> tuple[float, int, list[EventRecord]]:
    """(articles/s drained, outcomes read, the events produced)."""
    from kafka import KafkaProducer

    from powderkeg_runtime.kafka_admin import start_group_at_end

    run = uuid.uuid4().hex[:8]
    group = f"bscale-extractor-{count}-{run}"
    start_group_at_end(bootstrap, group, [topics.ARTICLES])
    core = IngestCore()
    now = datetime.now(UTC)
    articles = [
        res.article
        for raw in raws
        if (res := core.accept(raw.model_copy(update={"id": f"bs-{run}-{raw.id}"}), now=now)).article is not None
    ]
    wanted = {a.article_id for a in articles}
    outcomes = _at_end_reader(bootstrap, topics.OUTCOMES, options)
    events_reader = _at_end_reader(bootstrap, topics.EVENTS, options)
    times: list[float] = []
    events: list[EventRecord] = []
    with workers("extractor", count, group, env, logs):
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, **options)
        for article in articles:
            producer.send(topics.ARTICLES, key=article.article_id.encode(), value=encode(article))
        producer.flush()
        producer.close()
        seen: set[str] = set()
        deadline = time.monotonic() + timeout_s
        while len(seen) < len(wanted) and time.monotonic() < deadline:
            for record in outcomes:  # type: ignore[attr-defined]
                outcome = decode(ArticleOutcome, record.value)
                if outcome.article_id in wanted and outcome.article_id not in seen:
                    seen.add(outcome.article_id)
                    times.append(time.perf_counter())
    events = [event for event in _read_to_end(events_reader, EventRecord) if event.article_id in wanted]
    outcomes.close()  # type: ignore[attr-defined]
    events_reader.close()  # type: ignore[attr-defined]
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return rate, len(times), events


def _evaluated(urls: list[str]) -> int:
    total = 0.0
    for url in urls:
        try:
            with urllib.request.urlopen(f"{url}/metrics", timeout=2) as response:
                for line in response.read().decode().splitlines():
                    if line.startswith("powderkeg_alerting_events_total{"):
                        total += float(line.rsplit(" ", 1)[1])
        except OSError:
            continue
    return int(total)


def copies(events: list[EventRecord], target: int, run: str) -> list[EventRecord]:
    """``target`` events made of copies of ``events``: ids of their own, times shifted an hour per round."""
    out: list[EventRecord] = []
    round_ = 0
    while len(out) < target and events:
        shift = timedelta(hours=round_)
        for event in events:
            if len(out) >= target:
                break
            tag = f"{run}-{round_}"
            out.append(event.model_copy(update={
                "event_id": f"{event.event_id}-{tag}",
                "article_id": f"{event.article_id}-{tag}",
                "story_id": f"{event.story_id}-{tag}",
                "published_at": (event.published_at or datetime.now(UTC)) + shift,
            }))
        round_ += 1
    return out


def alerting_pass(
    bootstrap: str, events: list[EventRecord], count: int, env: dict[str, str], logs: Path,
    options: dict[str, object], timeout_s: float,
) -> tuple[float, int]:
    """(events/s drained, events evaluated)."""
    from kafka import KafkaProducer

    from powderkeg_runtime.kafka_admin import start_group_at_end

    run = uuid.uuid4().hex[:8]
    group = f"bscale-alerting-{count}-{run}"
    start_group_at_end(bootstrap, group, [topics.EVENTS])
    load = events  # every pass is a fresh group with fresh tables: the same load is new to each
    with workers("alerting", count, group, env, logs) as urls:
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, **options)
        for event in load:
            producer.send(topics.EVENTS, key=event.sides.key.encode(), value=encode(event))
        producer.flush()
        producer.close()
        first: float | None = None
        last = time.perf_counter()
        done = 0
        deadline = time.monotonic() + timeout_s
        while done < len(load) and time.monotonic() < deadline:
            done = _evaluated(urls)
            now = time.perf_counter()
            if done and first is None:
                first, first_count = now, done
            last = now
            time.sleep(0.1)
    if first is None or last <= first:
        return 0.0, done
    return (done - first_count) / (last - first), done


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="powderkeg bench-scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("articles", nargs="?", type=Path, default=None,
                        help="JSONL of articles (default: POWDERKEG_DEV_DATA/voa/voa_stories.jsonl, else seeds/voa/).")
    parser.add_argument("--repeat", type=int, default=3, help="Send the article set N times (copies made unique).")
    parser.add_argument("--events", type=int, default=30_000, help="Events sent to each alerting pass.")
    parser.add_argument("--workers", default="1,2", help="Comma-separated worker counts, e.g. 1,2.")
    parser.add_argument("--timeout", type=float, default=600.0, help="Time limit of each pass, seconds.")
    parser.add_argument("--rounds", type=int, default=2, help="Run every worker count this many times, interleaved.")
    parser.add_argument("--services", default="extractor,alerting", help="Which services to measure.")
    args = parser.parse_args(argv)
    from powderkeg_runtime.kafka_admin import ensure_topics
    from powderkeg_runtime.kafka_clients import kafka_python_options
    from powderkeg_runtime.settings import load_settings

    settings = load_settings(ServiceSettings)
    bootstrap = settings.kafka_bootstrap
    options = kafka_python_options(settings)
    ensure_topics(bootstrap, topics.ALL_TOPICS, partitions=settings.topic_partitions, kafka=settings)
    from kafka import KafkaConsumer

    probe = KafkaConsumer(bootstrap_servers=bootstrap, **options)
    layout = {t: len(probe.partitions_for_topic(t) or ()) for t in (topics.ARTICLES, topics.EVENTS)}
    probe.close()
    path = args.articles or default_voa_path(DevDataSettings())
    raws = _load_articles(path, None, args.repeat)
    counts = [int(n) for n in args.workers.split(",")]
    env = {**os.environ, "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap}
    logs = Path(tempfile.mkdtemp(prefix="powderkeg-bench-scale-"))
    print(f"scale-out over {len(raws)} articles from {path}; partitions {layout}; {os.cpu_count()} cores; "
          f"logs in {logs}")
    services = [name.strip() for name in args.services.split(",") if name.strip()]
    rates: dict[tuple[str, int], list[float]] = {}
    reads: dict[tuple[str, int], str] = {}
    sample: list[EventRecord] = []
    if "extractor" in services:
        for round_ in range(1, args.rounds + 1):
            for count in counts:
                rate, n, events = extractor_pass(bootstrap, raws, count, env, logs, options, args.timeout)
                sample = sample or events
                rates.setdefault(("extractor", count), []).append(rate)
                reads[("extractor", count)] = f"{n} outcomes"
                print(f"  round {round_} extractor x{count}: {rate:.2f} articles/s ({n} outcomes, "
                      f"{len(events)} events)", flush=True)
    elif "alerting" in services:  # the alerting load is what one extractor makes of the articles
        _, _, sample = extractor_pass(bootstrap, raws, 1, env, logs, options, args.timeout)
    if "alerting" in services:
        load = copies(sample, args.events, "load")
        for round_ in range(1, args.rounds + 1):
            for count in counts:
                rate, n = alerting_pass(bootstrap, load, count, env, logs, options, args.timeout)
                rates.setdefault(("alerting", count), []).append(rate)
                reads[("alerting", count)] = f"{n} events evaluated"
                print(f"  round {round_} alerting x{count}: {rate:.0f} events/s ({n} evaluated)", flush=True)
    print(f"\nmedian of {args.rounds} round(s)")
    print(f"{'service':<11}{'workers':>8}{'rate':>14}{'vs 1 worker':>13}  per round")
    for service in ("extractor", "alerting"):
        if service not in services:
            continue
        base = statistics.median(rates[(service, counts[0])])
        for count in counts:
            rate = statistics.median(rates[(service, count)])
            ratio = f"{rate / base:.2f}x" if base else "-"
            unit = "articles/s" if service == "extractor" else "events/s"
            rounds = ", ".join(f"{r:.1f}" for r in rates[(service, count)])
            print(f"{service:<11}{count:>8}{rate:>9.1f} {unit:<10}{ratio:>9}  {rounds}; {reads[(service, count)]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
