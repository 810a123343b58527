"""``powderkeg bench``: throughput and latency, measured side by side in one run on the same articles.

Measurements over the same VOA articles:

1. bare spaCy: ``nlp.pipe`` of ``en_core_web_sm`` over the full texts, every component on (the reference point);
2. embedded: the whole Powderkeg pipeline in one process (ingest core, extractor, alert engine);
3. the extractor alone, with its rules alone and with the sentence classifier (1 and 2 workers), each beside bare
   spaCy in a fresh process, with its peak resident memory (``bench_extract.py``);
4. broker (``--kafka``): the real services as separate processes through the real Kafka broker: articles produced
   by ingest's producer, the extractor and alerting services consuming; end-to-end latency is measured from the
   moment an article is produced to the moment its outcome (extractor) and its alerts (alerting) are read back.

It prints figures; it asserts nothing. Ratios are to bare spaCy measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from powderkeg_cli import bench_extract
from powderkeg_cli.embedded import default_voa_path, run_pipeline
from powderkeg_contracts import Alert, topics
from powderkeg_ingest.core.pipeline import IngestCore, RawArticle
from powderkeg_runtime.settings import DevDataSettings


@dataclass
class Figure:
    name: str
    articles: int
    tokens: int
    seconds: float

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def _load_articles(path: Path, limit: int | None, repeat: int) -> list[RawArticle]:
    raws = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                raws.append(RawArticle.model_validate(json.loads(line)))
    raws = raws[:limit] if limit else raws
    out = []
    for r in range(repeat):
        for raw in raws:
            out.append(raw if r == 0 else raw.model_copy(update={"id": f"{raw.id}-r{r}", "text": raw.text + f" ({r})"}))
    return out


def _percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99

    def fmt(v: float) -> str:
        return f"{v * 1000:.0f} ms"

    return f"p50 {fmt(q[49])}, p95 {fmt(q[94])}, p99 {fmt(q[98])}, max {fmt(ordered[-1])} (n={len(ordered)})"


def bench_bare_spacy(texts: list[str]) -> Figure:
    """The reference: the complete ``en_core_web_sm`` pipeline (every component, NER included) over full texts."""
    import importlib

    from powderkeg_extractor.core.nlp import MODEL_PACKAGES

    for name in MODEL_PACKAGES:
        try:
            nlp = importlib.import_module(name).load()
            break
        except ImportError:
            continue
    else:
        raise SystemExit(f"none of {', '.join(MODEL_PACKAGES)} is installed")
    list(nlp.pipe(texts[:2]))
    start = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16))
    return Figure("bare spaCy nlp.pipe (en_core_web_sm, full texts)", len(texts), tokens, time.perf_counter() - start)


def bench_embedded(raws: list[RawArticle], tokens: int) -> tuple[Figure, int, int]:
    """Loading spaCy, the gazetteer and the near-duplicate index is start-up, not throughput: done before timing."""
    from powderkeg_extractor.settings import configured_extractor
    from powderkeg_ingest.core.near import NearIndex

    extractor = configured_extractor()
    warm = IngestCore().accept(raws[0], now=_utcnow()).article if raws else None
    if warm is not None:
        extractor.extract(warm)
    NearIndex()
    start = time.perf_counter()
    result = run_pipeline(raws, extractor=extractor)
    seconds = time.perf_counter() - start
    mode = "classifier on" if extractor.classifier is not None else "rules alone"
    return Figure(f"embedded (ingest, extract, alert), {mode}", len(raws), tokens, seconds), len(
        result.events
    ), len(result.alerts)


def bench_broker(
    raws: list[RawArticle], tokens: int, bootstrap: str, timeout_s: float, rate: float = 0.0, workers: int = 1
) -> Figure | None:
    """Produce the articles through Kafka into freshly started extractor and alerting services (``workers`` each,
    sharing one consumer group per service)."""
    from kafka import KafkaConsumer, KafkaProducer

    from powderkeg_runtime.codec import decode, encode
    from powderkeg_runtime.kafka_admin import ensure_topics, start_group_at_end
    from powderkeg_runtime.kafka_clients import kafka_python_options
    from powderkeg_runtime.kafka_config import KafkaSettings

    run = uuid.uuid4().hex[:8]
    kafka = KafkaSettings()
    options = kafka_python_options(kafka)
    ensure_topics(bootstrap, topics.ALL_TOPICS, kafka=kafka)
    # Fresh groups start at the topics' current end, so earlier runs' articles are not processed first.
    start_group_at_end(bootstrap, f"bench-extractor-{run}", [topics.ARTICLES], kafka=kafka)
    start_group_at_end(bootstrap, f"bench-alerting-{run}", [topics.EVENTS], kafka=kafka)
    env = {
        **os.environ,
        "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap,
        "POWDERKEG_EXTRACTOR_APP_ID": f"bench-extractor-{run}",
        "POWDERKEG_ALERTING_APP_ID": f"bench-alerting-{run}",
        "POWDERKEG_ALERTING_ALERTMANAGER_URL": "",
    }
    exe = [sys.executable, "-m", "powderkeg_cli.main"]
    logs = Path(tempfile.mkdtemp(prefix="powderkeg-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    ready: list[str] = []
    for n in range(workers):
        for svc, port in (("extractor", 19102 + 10 * n), ("alerting", 19103 + 10 * n)):
            ports = {f"POWDERKEG_{svc.upper()}_METRICS_PORT": str(port)}
            log_file = (logs / f"{svc}-{n}.log").open("w")
            procs.append(subprocess.Popen([*exe, svc], env={**env, **ports}, stdout=log_file, stderr=subprocess.STDOUT))
            ready.append(f"http://127.0.0.1:{port}/readyz")
    consumer = KafkaConsumer(
        topics.OUTCOMES, topics.ALERTS, bootstrap_servers=bootstrap, auto_offset_reset="latest",
        group_id=f"bench-reader-{run}", enable_auto_commit=False, consumer_timeout_ms=500, **options,
    )
    try:
        _wait_ready(ready, timeout_s=180)
        consumer.poll(timeout_ms=1000)
        core = IngestCore()
        producer = KafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5, **options
        )
        sent: dict[str, float] = {}
        articles = []
        for raw in raws:
            res = core.accept(raw.model_copy(update={"id": f"bench-{run}-{raw.id}"}), now=_utcnow())
            if res.article is not None:
                articles.append(res.article)

        def produce() -> None:
            # Paced (--rate) sends measure latency under load the pipeline keeps up with; unpaced sends measure
            # throughput, and their latency is mostly time spent queued behind earlier articles.
            for article in articles:
                sent[article.article_id] = time.perf_counter()
                producer.send(topics.ARTICLES, key=article.article_id.encode(), value=encode(article))
                if rate > 0:
                    producer.flush()
                    time.sleep(1.0 / rate)
            producer.flush()

        start = time.perf_counter()
        sender = threading.Thread(target=produce, name="bench-producer", daemon=True)
        sender.start()
        outcome_latency: list[float] = []
        alert_latency: list[float] = []
        seen_outcomes: set[str] = set()
        outcome_times: list[float] = []
        deadline = time.monotonic() + timeout_s
        while len(seen_outcomes) < len(articles) and time.monotonic() < deadline:
            for record in consumer:
                now = time.perf_counter()
                if record.topic == topics.OUTCOMES:
                    article_id = record.key.decode() if record.key else ""
                    if article_id in sent and article_id not in seen_outcomes:
                        seen_outcomes.add(article_id)
                        outcome_latency.append(now - sent[article_id])
                        outcome_times.append(now)
                elif record.topic == topics.ALERTS:
                    alert = decode(Alert, record.value)
                    firsts = [sent[a] for a in alert.article_ids if a in sent]
                    if firsts and alert.revision == 1:
                        alert_latency.append(now - min(firsts))
        sender.join(timeout=5)
        seconds = time.perf_counter() - start
        pacing = f"paced at {rate:g} articles/s" if rate > 0 else "sent as fast as possible"
        print(f"  broker: {len(seen_outcomes)}/{len(articles)} outcomes read back in {seconds:.1f}s ({pacing})")
        print(f"  end-to-end article -> outcome latency: {_percentiles(outcome_latency)}")
        print(f"  end-to-end article -> first alert latency: {_percentiles(alert_latency)}")
        name = f"through the real broker ({workers} worker{'s' if workers > 1 else ''} per service)"
        if rate <= 0 and len(outcome_times) > 1:
            # Unpaced, the topic holds every article within a second, long before the workers are through: the span
            # from the first to the last outcome is the drain time of a pre-loaded topic, without start-up.
            drain = outcome_times[-1] - outcome_times[0]
            print(f"  drain rate (first to last outcome): {(len(outcome_times) - 1) / drain:.2f} articles/s")
            drained = len(outcome_times) - 1
            return Figure(f"{name}, drain", drained, tokens * drained // len(raws), drain)
        return Figure(name, len(seen_outcomes), tokens, seconds)
    finally:
        consumer.close()
        stop_all(procs)
        print(f"  service logs: {logs}")


def stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every service process, then wait for each (30 s), killing one that does not stop."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _utcnow() -> datetime:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _wait_ready(urls: list[str], timeout_s: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    pending = list(urls)
    while pending:
        if time.monotonic() > deadline:
            raise RuntimeError(f"services not ready within {timeout_s:.0f}s: {pending}")
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="powderkeg bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("articles", nargs="?", type=Path, default=None,
                        help="JSONL of articles (default: POWDERKEG_DEV_DATA/voa/voa_stories.jsonl, else seeds/voa/).")
    parser.add_argument("--limit", type=int, default=None, help="Use only the first N articles.")
    parser.add_argument("--repeat", type=int, default=1, help="Repeat the set N times (copies are made unique).")
    parser.add_argument("--kafka", action="store_true", help="Also measure through the real broker.")
    parser.add_argument("--bootstrap", default=os.environ.get("POWDERKEG_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--timeout", type=float, default=300.0, help="Broker run time limit, seconds.")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="Also run a paced broker pass at this many articles/s, for latency (0: skip it).")
    parser.add_argument("--workers", default="1",
                        help="Comma-separated worker counts per service for the broker passes, e.g. 1,2.")
    parser.add_argument("--json-out", type=Path, default=None, help="Also write the figures as JSON.")
    parser.add_argument("--best-of", type=int, default=3, help="Passes of each fresh-process measurement (best kept).")
    args = parser.parse_args(argv)
    path = args.articles or default_voa_path(DevDataSettings())
    raws = _load_articles(path, args.limit, args.repeat)
    texts = [r.text for r in raws]
    print(f"benchmark over {len(raws)} articles from {path}")
    bare = bench_bare_spacy(texts)
    embedded, n_events, n_alerts = bench_embedded(raws, bare.tokens)
    figures = [bare, embedded]
    if args.kafka:
        for workers in (int(n) for n in args.workers.split(",")):
            broker = bench_broker(raws, bare.tokens, args.bootstrap, args.timeout, workers=workers)
            if broker is not None:
                figures.append(broker)
        if args.rate > 0:
            bench_broker(raws, bare.tokens, args.bootstrap, args.timeout, rate=args.rate)
    brokers = figures[2:]
    if len(brokers) > 1 and brokers[0].articles_per_s:
        for fig in brokers[1:]:
            print(f"\n{fig.name} / {brokers[0].name}: {fig.articles_per_s / brokers[0].articles_per_s:.2f}x")
    print(f"\n{'measurement':<60}{'articles/s':>12}{'tokens/s':>12}{'x bare':>9}")
    for fig in figures:
        ratio = fig.articles_per_s / bare.articles_per_s if bare.articles_per_s else 0.0
        print(f"{fig.name:<60}{fig.articles_per_s:>12.1f}{fig.tokens_per_s:>12.0f}{ratio:>9.2f}")
    print(f"\nembedded run: {n_events} events, {n_alerts} alerts; tokens counted by the spaCy tokenizer: {bare.tokens}")
    extractors = bench_extract.report(path, args.limit, args.best_of)
    if args.json_out:
        args.json_out.write_text(json.dumps({"figures": [{**fig.__dict__, "articles_per_s": fig.articles_per_s,
                                                          "tokens_per_s": fig.tokens_per_s} for fig in figures],
                                             "extractor": extractors}, indent=2))
    return 0
