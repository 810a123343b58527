"""``powderkeg dlq``: list dead letters and replay them to their original topic after a fix.

Dead letters are read from the start of the dead-letter topics to their current end (a bounded read), decoded as
``DeadLetter`` envelopes, and listed. ``replay`` re-produces each original key and value to the topic it came from
(ingest dead letters, which never reached Kafka, go to ``powderkeg.articles.v1`` only after they are fixed by
hand: they are listed, not replayed). Replayed messages carry a ``powderkeg.replayed-from`` header naming the
dead letter, and the consumers' deterministic ids make a replay of something already processed harmless.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from powderkeg_contracts import DeadLetter, topics
from powderkeg_runtime.codec import DecodeError, decode
from powderkeg_runtime.dlq import original_bytes

DLQ_TOPICS = (topics.ARTICLES_DLQ, topics.EVENTS_DLQ, topics.INGEST_DLQ)


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


def read_letters(bootstrap: str, dlq_topics: tuple[str, ...]) -> Iterator[Letter]:
    """Every dead letter currently in ``dlq_topics``, oldest first per partition (reads up to the end, then stops)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
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


def replay(bootstrap: str, letters: list[Letter]) -> tuple[int, list[str]]:
    """Re-produce the originals; returns (replayed count, reasons for those not replayed)."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    replayed, skipped = 0, []
    try:
        for item in letters:
            if item.letter is None or item.letter.original_topic is None:
                why = item.problem or f"{item.letter.origin if item.letter else '?'} never reached Kafka"
                skipped.append(f"{item.coordinates}: {why}")
                continue
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
    key, _ = original_bytes(letter)
    return key.decode("utf-8", "replace") if key is not None else None


def main(argv: list[str]) -> int:
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
    parser.add_argument("--bootstrap", default=os.environ.get("POWDERKEG_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    args = parser.parse_args(argv)
    chosen = tuple(args.topic or DLQ_TOPICS)
    letters = [
        item
        for item in read_letters(args.bootstrap, chosen)
        if (args.error_class is None or (item.letter is not None and args.error_class in item.letter.error_class))
        and (args.key is None or (item.letter is not None and _key_text(item.letter) in args.key))
    ]
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
                print(f"{item.coordinates}  {item.letter.stage:<9} {where}  {item.letter.error_class}: "
                      f"{item.letter.error_message[:160]}")
        print(f"{len(letters)} dead letters", file=sys.stderr)
        return 0
    replayed, skipped = replay(args.bootstrap, letters)
    for line in skipped:
        print(f"not replayed: {line}", file=sys.stderr)
    print(f"replayed {replayed} of {len(letters)} dead letters", file=sys.stderr)
    return 0
