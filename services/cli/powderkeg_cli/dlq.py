"""``powderkeg dlq``: list dead letters and replay them to their original topic after a fix.

Dead letters are read from the start of the dead-letter topics to their current end (a bounded read), decoded as
``DeadLetter`` envelopes, and listed. ``replay`` re-produces each original key and value to the topic it came from
(ingest dead letters, which never reached Kafka, go to ``powderkeg.articles.v1`` only after they are fixed by
hand: they are listed, not replayed). Replayed messages carry a ``powderkeg.replayed-from`` header naming the
dead letter, and the consumers' deterministic ids make a replay of something already processed harmless.

A replay of letters whose cause was not fixed only makes new letters for the same originals, so ``replay`` is
explicit and loud about what it re-sends: it needs ``--key``, ``--error-class`` or ``--all``; it sends each original
once however many letters carry it (the same SHA-256 to the same topic), says how many copies it collapsed, and
refuses letters whose original was cut to fit the topic (``truncated``): those must be re-sent from their source.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from powderkeg_contracts import DeadLetter, topics
from powderkeg_runtime.codec import DecodeError, decode
from powderkeg_runtime.dlq import original_bytes
from powderkeg_runtime.kafka_clients import KafkaAuthError, connect
from powderkeg_runtime.kafka_config import KafkaSettings
from powderkeg_runtime.settings import ServiceSettings, load_settings

DLQ_TOPICS = (topics.ARTICLES_DLQ, topics.EVENTS_DLQ, topics.INGEST_DLQ)

CONNECT_TIMEOUT_S = 5.0
"""How long ``dlq`` tries to reach the broker before it says it cannot (kafka-python's default is 30 s)."""
EXIT_NO_BROKER = 1
_CONNECT_MS = int(CONNECT_TIMEOUT_S * 1000)


@dataclass(frozen=True, slots=True)
class Letter:
    topic: str
    partition: int
    offset: int
    letter: DeadLetter | None
    problem: str | None = None

    @property
    def coordinates(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


def read_letters(
    bootstrap: str, dlq_topics: tuple[str, ...], kafka: KafkaSettings | None = None
) -> Iterator[Letter]:
    """Every dead letter currently in ``dlq_topics``, oldest first per partition (reads up to the end, then stops)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = connect(
        kafka,
        bootstrap,
        lambda options: KafkaConsumer(
            enable_auto_commit=False, group_id=None, **{**options, "bootstrap_timeout_ms": _CONNECT_MS}
        ),
    )
    try:
        partitions = [
            TopicPartition(t, p) for t in dlq_topics for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not partitions:
            return
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > consumer.position(tp)}
        while remaining:
            batch = consumer.poll(timeout_ms=2000)
            if not batch:
                break
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    try:
                        yield Letter(record.topic, record.partition, record.offset, decode(DeadLetter, record.value))
                    except DecodeError as exc:
                        yield Letter(record.topic, record.partition, record.offset, None, str(exc))
                if consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        consumer.close()


def plan_replay(letters: list[Letter]) -> tuple[list[Letter], list[str]]:
    """The letters to re-send, one per distinct original, and why each other letter is not re-sent."""
    chosen: list[Letter] = []
    skipped: list[str] = []
    first: dict[tuple[str, str], str] = {}
    for item in letters:
        letter = item.letter
        if letter is None or letter.original_topic is None:
            why = item.problem or f"{letter.origin if letter else '?'} never reached Kafka"
            skipped.append(f"{item.coordinates}: {why}")
            continue
        if letter.truncated:
            skipped.append(
                f"{item.coordinates}: refused: the original ({letter.original_size} bytes, sha256 "
                f"{letter.original_sha256[:16]}...) was cut to fit the dead-letter topic; re-send it from its source"
            )
            continue
        identity = (letter.original_topic, letter.original_sha256)
        if identity in first:
            skipped.append(f"{item.coordinates}: same original as {first[identity]} (sent once)")
            continue
        first[identity] = item.coordinates
        chosen.append(item)
    return chosen, skipped


def replay(bootstrap: str, letters: list[Letter], kafka: KafkaSettings | None = None) -> tuple[int, list[str]]:
    """Re-produce the originals (each once); returns (replayed count, reasons for those not replayed)."""
    from kafka import KafkaProducer

    chosen, skipped = plan_replay(letters)
    if not chosen:
        return 0, skipped
    producer = connect(
        kafka,
        bootstrap,
        lambda options: KafkaProducer(
            acks="all", enable_idempotence=True, **{**options, "bootstrap_timeout_ms": _CONNECT_MS}
        ),
    )
    replayed = 0
    try:
        for item in chosen:
            assert item.letter is not None and item.letter.original_topic is not None
            key, value = original_bytes(item.letter)
            producer.send(
                item.letter.original_topic,
                key=key,
                value=value,
                headers=[("powderkeg.replayed-from", item.coordinates.encode())],
            )
            replayed += 1
        producer.flush()
    finally:
        producer.close()
    return replayed, skipped


def _key_text(letter: DeadLetter) -> str | None:
    if letter.original_key is None:
        return None
    return base64.b64decode(letter.original_key).decode("utf-8", "replace")


def main(argv: list[str]) -> int:
    """Entry point of ``powderkeg dlq``: 0 done, 1 the broker could not be reached, 2 usage."""
    from kafka.errors import KafkaError

    try:
        return _main(argv)
    except KafkaError as exc:
        print(f"powderkeg dlq: error: cannot reach Kafka at {_bootstrap(argv)}: {exc}", file=sys.stderr)
        return EXIT_NO_BROKER


def _bootstrap(argv: list[str]) -> str:
    chosen = _parser().parse_known_args(argv)[0].bootstrap
    return str(chosen) if chosen else load_settings(ServiceSettings).kafka_bootstrap


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="powderkeg dlq", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["list", "replay"], help="List dead letters, or replay them.")
    parser.add_argument("--topic", action="append", choices=DLQ_TOPICS, help="Dead-letter topic (default: all).")
    parser.add_argument("--error-class", default=None, help="Only letters whose error class contains this text.")
    parser.add_argument(
        "--key", action="append", default=None,
        help="Only letters whose original key is this (repeatable): replay the ones you fixed, not the whole topic.",
    )
    parser.add_argument("--json", action="store_true", help="List as JSON lines.")
    parser.add_argument(
        "--all", action="store_true", help="replay every letter of the chosen topics (else --key or --error-class)."
    )
    parser.add_argument("--bootstrap", default=None, help="Kafka bootstrap servers (POWDERKEG_KAFKA_BOOTSTRAP).")
    return parser


def _main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    args.bootstrap = _bootstrap(argv)
    kafka = KafkaSettings()
    chosen = tuple(args.topic or DLQ_TOPICS)
    try:
        letters = [
            item
            for item in read_letters(args.bootstrap, chosen, kafka)
            if (args.error_class is None or (item.letter is not None and args.error_class in item.letter.error_class))
            and (args.key is None or (item.letter is not None and _key_text(item.letter) in args.key))
        ]
    except KafkaAuthError as exc:
        print(f"powderkeg dlq: {exc}", file=sys.stderr)
        return 1
    if args.action == "list":
        for item in letters:
            if args.json:
                payload = {"coordinates": item.coordinates, "problem": item.problem,
                           "letter": item.letter.model_dump(mode="json") if item.letter else None}
                print(json.dumps(payload))
            elif item.letter is None:
                print(f"{item.coordinates}  unreadable dead letter: {item.problem}")
            else:
                where = (f"{item.letter.original_topic}[{item.letter.original_partition}]@{item.letter.original_offset}"
                         if item.letter.original_topic else item.letter.origin)
                cut = f" [truncated, {item.letter.original_size} bytes]" if item.letter.truncated else ""
                print(f"{item.coordinates}  {item.letter.stage:<9} {where}{cut}  {item.letter.error_class}: "
                      f"{item.letter.error_message[:160]}")
        print(f"{len(letters)} dead letters", file=sys.stderr)
        return 0
    if not (args.all or args.key or args.error_class):
        print(
            "powderkeg dlq replay: choose what to replay with --key or --error-class (the letters you fixed), "
            "or --all; replaying letters whose cause was not fixed only dead-letters them again",
            file=sys.stderr,
        )
        return 2
    try:
        replayed, skipped = replay(args.bootstrap, letters, kafka)
    except KafkaAuthError as exc:
        print(f"powderkeg dlq: {exc}", file=sys.stderr)
        return 1
    for line in skipped:
        print(f"not replayed: {line}", file=sys.stderr)
    print(f"replayed {replayed} of {len(letters)} dead letters", file=sys.stderr)
    return 0
