"""``make bench-store``: store ingest rate, API latency and database size over a million stored events.

Not a test: it prints figures. It fills a fresh PostgreSQL database (on the stack's server) with synthetic but
realistically shaped events (a few busy pairs and a long tail, syndicated stories, places with coordinates, 30 days
of event time) through the store's own write path, one transaction per batch of 1,000 as the consumer writes them,
then times the main API calls over HTTP and reports the database's size per table.

    bash deploy/with-stack.sh .venv/bin/python -m powderkeg_store.bench --events 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from powderkeg_contracts import (
    Actor,
    ActorClass,
    Alert,
    AlertStatus,
    Direction,
    EventDate,
    EventRecord,
    EventSides,
    Evidence,
    Factuality,
    GeoPrecision,
    Location,
    PloverType,
    QuadClass,
    Severity,
    Side,
    pair_of,
)
from powderkeg_runtime.webserver import UvicornThread
from powderkeg_store.api.app import build_app
from powderkeg_store.db import open_store
from powderkeg_store.writer import Batch, write_batch

COUNTRIES = [f"{a}{b}{c}" for a, b, c in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 8, "AEIOUBCDFG" * 21, "NRSTLKMPDX" * 21,
                                            strict=False)][:180]
TYPES = [(PloverType.ASSAULT, "195", -10.0, QuadClass.MATERIAL_CONFLICT, 4),
         (PloverType.ASSAULT, "193", -10.0, QuadClass.MATERIAL_CONFLICT, 4),
         (PloverType.COERCE, "191", -9.5, QuadClass.MATERIAL_CONFLICT, 4),
         (PloverType.THREATEN, "138", -7.0, QuadClass.VERBAL_CONFLICT, 3),
         (PloverType.ACCUSE, "112", -2.0, QuadClass.VERBAL_CONFLICT, 3),
         (PloverType.REJECT, "125", -5.0, QuadClass.VERBAL_CONFLICT, 3),
         (PloverType.CONSULT, "042", 1.9, QuadClass.VERBAL_COOPERATION, 1),
         (PloverType.AGREE, "0871", 9.0, QuadClass.VERBAL_COOPERATION, 1),
         (PloverType.PROTEST, "141", -6.5, QuadClass.MATERIAL_CONFLICT, 4)]
SENTENCE = ("Officials said {a} forces carried out strikes on positions held by {b} near {p} on Tuesday, the latest "
            "in a series of incidents along the frontier that have left dozens dead.")


def _sides(rng: random.Random) -> tuple[Side, Side | None]:
    a = COUNTRIES[min(int(rng.paretovariate(1.1)) - 1, len(COUNTRIES) - 1)]
    roll = rng.random()
    if roll < 0.55:  # interstate
        b = COUNTRIES[min(int(rng.paretovariate(1.1)) + 3, len(COUNTRIES) - 1)]
        return Side(country=a, actor_class=ActorClass.STATE_FORCES, label=a), Side(
            country=b, actor_class=ActorClass.GOVERNMENT, label=b)
    if roll < 0.9:  # intrastate: a state against one of a few groups
        group = f"group {rng.randrange(6)}"
        return Side(country=a, actor_class=ActorClass.STATE_FORCES, label=a), Side(
            country=a, actor_class=ActorClass.REBELS, group=group, label=f"{group} ({a})")
    return Side(country=a, actor_class=ActorClass.PROTESTERS, label=f"{a}: protesters"), None


def synthetic_events(n: int, seed: int = 7, days: int = 30) -> Iterator[EventRecord]:
    rng = random.Random(seed)
    end = datetime.now(UTC)
    places = [(f"Town {i}", COUNTRIES[i % len(COUNTRIES)], rng.uniform(-50, 60), rng.uniform(-120, 150), 100000 + i)
              for i in range(5000)]
    story = 0
    for i in range(n):
        if i % 3 == 0:
            story = i  # three syndicated copies per story
        src, tgt = _sides(rng)
        etype, cameo, goldstein, quad, penta = TYPES[rng.randrange(len(TYPES))]
        place, pc, lat, lon, gid = places[rng.randrange(len(places))]
        located = rng.random() < 0.6
        when = end - timedelta(seconds=rng.uniform(0, days * 86400))
        yield EventRecord(
            event_id=f"ev-{i:08d}", article_id=f"art-{i:08d}", story_id=f"art-{story:08d}", event_type=etype,
            mode=None, cameo_code=cameo, quad_class=quad, pentacode=penta, goldstein=goldstein,
            actor=Actor(name=src.label, country=src.country, actor_class=src.actor_class, text=src.label),
            recipient=Actor(name=tgt.label if tgt else None, country=tgt.country if tgt else None,
                            actor_class=tgt.actor_class if tgt else None),
            location=Location(place=place, country=pc, admin1=f"Province {gid % 40}", latitude=lat, longitude=lon,
                              precision=GeoPrecision.CITY, geonames_id=gid) if located else Location(
                reason="no place attached to the event in the sentence"),
            event_date=EventDate(), factuality=Factuality.ASSERTED if rng.random() < 0.8 else Factuality.CLAIMED,
            evidence=Evidence(sentence=SENTENCE.format(a=src.label, b=tgt.label if tgt else "crowds", p=place),
                              start=0, end=160, trigger="strikes", trigger_start=40, trigger_end=47),
            confidence=round(rng.uniform(0.3, 0.99), 3), sides=EventSides(source=src, target=tgt),
            published_at=when, url=f"https://news.example/{story}", source=f"Outlet {story % 300}",
            extractor_version="bench",
        )


def synthetic_alerts(n: int, seed: int = 11) -> list[Alert]:
    rng = random.Random(seed)
    out = []
    end = datetime.now(UTC)
    for i in range(n):
        src, tgt = _sides(rng)
        sides = pair_of(src, tgt)
        last = end - timedelta(hours=rng.uniform(0, 24 * 30))
        for revision in range(1, rng.randint(1, 4) + 1):
            out.append(Alert(
                alert_id=f"armed_clash.bench.{i:06d}", signal=rng.choice(["armed_clash", "military_strike", "threat"]),
                title="Armed clashes", direction=Direction.ESCALATION,
                severity=rng.choice([Severity.INFO, Severity.WARNING, Severity.CRITICAL]),
                status=AlertStatus.RAISED if revision == 1 else AlertStatus.UPDATED, revision=revision, sides=sides,
                kind=sides.kind, countries=sides.countries, summary=f"bench alert {i}", confidence=0.7,
                event_ids=tuple(f"ev-{rng.randrange(1000):08d}" for _ in range(revision * 2)),
                article_ids=(f"art-{i:08d}",), evidence=("A sentence of evidence.",), escalation_index=2.0,
                first_seen=last - timedelta(hours=3), last_seen=last,
            ))
    return out


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000


def main(argv: list[str] | None = None) -> int:
    from powderkeg_store.settings import StoreSettings

    parser = argparse.ArgumentParser(prog="python -m powderkeg_store.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--alerts", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=40, help="Requests per API call timed.")
    parser.add_argument("--json-out", type=Path, default=Path("build/bench_store.json"))
    args = parser.parse_args(argv)
    server_url = StoreSettings().store_database_url
    name = "pk_bench_store"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = open_store(url, pool_size=8)
    report: dict[str, object] = {"events": args.events, "batch": args.batch}

    started = time.perf_counter()
    written = 0
    batch: list[tuple[EventRecord, datetime | None]] = []
    for record in synthetic_events(args.events):
        batch.append((record, None))
        if len(batch) == args.batch:
            with engine.begin() as conn:
                written += write_batch(conn, Batch(events=batch), datetime.now(UTC)).events_new
            batch = []
            if written % 100_000 == 0:
                print(f"  {written:>9,} events, {written / (time.perf_counter() - started):,.0f}/s", flush=True)
    if batch:
        with engine.begin() as conn:
            written += write_batch(conn, Batch(events=batch), datetime.now(UTC)).events_new
    elapsed = time.perf_counter() - started
    report["ingest_events_per_s"] = round(written / elapsed)
    report["ingest_seconds"] = round(elapsed, 1)
    alerts = synthetic_alerts(args.alerts)
    t = time.perf_counter()
    for start in range(0, len(alerts), 500):
        with engine.begin() as conn:
            write_batch(conn, Batch(alerts=alerts[start : start + 500]), datetime.now(UTC))
    report["alert_revisions_per_s"] = round(len(alerts) / (time.perf_counter() - t))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    token = "bench"
    server = UvicornThread(build_app(engine, token=SecretStr(token)), "127.0.0.1", 0, graceful_s=1).start()
    client = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", headers={"Authorization": f"Bearer {token}"},
                          timeout=60)
    rng = random.Random(3)
    busy = COUNTRIES[0]
    with engine.connect() as conn:
        pairs = [r[0] for r in conn.execute(text("SELECT pair_key FROM pairs ORDER BY n_events DESC LIMIT 50"))]
    deep_cursor = None
    page = client.get("/v1/events", params={"limit": 100}).json()
    for _ in range(4):
        page = client.get("/v1/events", params={"limit": 100, "cursor": page["next_cursor"]}).json()
    deep_cursor = page["next_cursor"]
    calls: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
        "alerts, most severe first": lambda: ("/v1/alerts", {"sort": "severity", "status": "open"}),
        "alerts of a country, 7 days": lambda: ("/v1/alerts", {"country": rng.choice(COUNTRIES[:30]), "since": "7d"}),
        "one alert with its events": lambda: (f"/v1/alerts/armed_clash.bench.{rng.randrange(args.alerts):06d}", {}),
        "events, newest page": lambda: ("/v1/events", {"limit": 50}),
        "events, 5 pages deep": lambda: ("/v1/events", {"limit": 50, "cursor": deep_cursor}),
        "events of the busiest country": lambda: ("/v1/events", {"country": busy, "limit": 50}),
        "events of a country, 24 h": lambda: ("/v1/events", {"country": rng.choice(COUNTRIES[:60]), "since": "24h"}),
        "events of a pair": lambda: ("/v1/events", {"pair": rng.choice(pairs), "limit": 50}),
        "events, type + CAMEO + confidence": lambda: ("/v1/events", {"event_type": "ASSAULT", "cameo": "19",
                                                                      "min_confidence": "0.8", "limit": 50}),
        "events, actor text": lambda: ("/v1/events", {"actor": "group 3", "limit": 50}),
        "pair index, 7 days hourly": lambda: (f"/v1/pairs/{rng.choice(pairs[:20])}/index", {"since": "7d"}),
        "map, 7 days": lambda: ("/v1/map", {"since": "7d"}),
        "pairs list": lambda: ("/v1/pairs", {"limit": 100}),
        "stats (header)": lambda: ("/v1/stats", {}),
    }
    latencies: dict[str, dict[str, float]] = {}
    print(f"\nstore: {written:,} events in {elapsed:.0f} s = {report['ingest_events_per_s']:,} events/s into "
          f"PostgreSQL (batches of {args.batch}, one transaction each)")
    print(f"{'API call':<36} {'p50 ms':>8} {'p95 ms':>8}")
    for label, make in calls.items():
        samples = []
        for _ in range(args.requests):
            path, params = make()
            t = time.perf_counter()
            response = client.get(path, params=params)
            samples.append(time.perf_counter() - t)
            response.raise_for_status()
        p50, p95 = _percentiles(samples)
        latencies[label] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
        print(f"{label:<36} {p50:>8.1f} {p95:>8.1f}")
    report["latency"] = latencies
    client.close()
    server.stop()
    with engine.connect() as conn:
        total = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        tables = conn.execute(text(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid), pg_indexes_size(relid) "
            "FROM pg_stat_user_tables ORDER BY 3 DESC")).all()
    report["database_bytes"] = int(total)
    report["tables"] = {r[0]: {"rows": int(r[1]), "bytes": int(r[2]), "index_bytes": int(r[3])} for r in tables}
    per_event = sum(r[2] for r in tables if r[0] in {"events", "event_facets", "place_days"}) / max(written, 1)
    report["bytes_per_event"] = round(per_event)
    print(f"\ndatabase {total / 1e9:.2f} GB; {per_event:,.0f} bytes per event (events, facets and map days, "
          "indexes included)")
    for r in tables:
        print(f"  {r[0]:<16} {int(r[1]):>11,} rows {int(r[2]) / 1e6:>10.1f} MB (indexes {int(r[3]) / 1e6:.1f} MB)")
    day = 250_000 * 20
    rate = max(round(written / elapsed), 1)
    print(f"a GDELT-scale day (250,000 articles x 20 records = {day:,} events): about {day * per_event / 1e9:.1f} GB "
          f"and {day / rate / 3600:.1f} h of this machine's write time")
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
