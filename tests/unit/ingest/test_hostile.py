"""Bad-input catalogue, ingest side (docs/reliability.md rows 47 onwards): hostile pushes, files, stdin, event times,
URLs and broker failures. Each test names its row's input and checks the status, the dead letter and the metric."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from powderkeg_contracts import Article, DeadLetter, Origin, limits
from powderkeg_ingest.core.pipeline import IngestCore, RawArticle
from powderkeg_ingest.http_api import build_app
from powderkeg_ingest.ingestor import Ingestor, PublishHealth
from powderkeg_ingest.publish import PublishError
from powderkeg_ingest.sources.files import InputError, InputRecord, read_inputs, read_stdin
from powderkeg_ingest.state import SqliteState
from powderkeg_runtime.dlq import Headers
from tests.support import hostile
from tests.support.asgi import TestClient
from tests.support.sinks import RecordingSink

TOKEN = "t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NDJSON = {**AUTH, "Content-Type": "application/x-ndjson"}
NOW = datetime(2025, 10, 29, 12, tzinfo=UTC)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class FlakySink(RecordingSink):
    """Records like RecordingSink; while ``failing`` is set, a flush raises as a broker that did not acknowledge."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False
        self.unit: list[Article] = []

    def article(self, article: Article) -> None:
        self.unit.append(article)

    def dead_letter(self, letter: DeadLetter, headers: Headers) -> None:
        self.letters.append(letter)

    def flush(self) -> None:
        unit, self.unit = self.unit, []
        self.flushes += 1
        if self.failing:
            raise PublishError("1 of 1 message(s) not acknowledged, first: powderkeg.articles.v1: timed out")
        self.articles.extend(unit)


def client_for(ingestor: Ingestor, **options: Any) -> TestClient:
    app = build_app(ingestor, token=SecretStr(TOKEN), max_body_bytes=limits.HTTP_BODY_MAX_BYTES, **options)
    return TestClient(app, client=("203.0.113.7", 5000))


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def push(sink: RecordingSink) -> TestClient:
    return client_for(Ingestor(IngestCore(), sink))


# --- rows 47-52: sizes ---------------------------------------------------------------------------------------------


def test_an_oversized_invalid_body_is_400_with_a_truncated_letter_and_ingest_goes_on(
    push: TestClient, sink: RecordingSink
) -> None:
    json_type = {**AUTH, "Content-Type": "application/json"}
    resp = push.post("/v1/articles", content=hostile.OVERSIZED_INVALID, headers=json_type)
    assert resp.status_code == 400 and resp.json()["reason"] == "invalid_json"
    (letter,) = sink.letters
    assert letter.truncated and letter.original_size == len(hostile.OVERSIZED_INVALID)
    assert letter.original_sha256 == hashlib.sha256(hostile.OVERSIZED_INVALID).hexdigest()
    assert len(base64.b64decode(letter.original_value)) == limits.DEAD_LETTER_VALUE_MAX_BYTES
    assert len(letter.model_dump_json()) < limits.DEAD_LETTER_MAX_BYTES
    assert push.post("/v1/articles", json=hostile.article("after"), headers=AUTH).status_code == 202


def test_a_title_of_1_6_mb_is_rejected_too_large_not_published(push: TestClient, sink: RecordingSink) -> None:
    before = sample("powderkeg_ingest_rejected_total", reason="too_large")
    resp = push.post("/v1/articles", content=hostile.BIG_TITLE, headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["reason"] == "too_large"
    assert "title is 1600000 characters" in resp.json()["error"]
    assert sink.articles == [] and sink.letters[0].truncated
    assert sample("powderkeg_ingest_rejected_total", reason="too_large") == before + 1


def test_a_text_one_byte_over_the_limit_is_rejected(push: TestClient) -> None:
    body = {"text": "x" * (limits.TEXT_MAX_BYTES + 1)}
    resp = push.post("/v1/articles", json=body, headers=AUTH)
    assert resp.status_code == 400 and resp.json()["reason"] == "too_large"


def test_a_batch_of_more_lines_than_allowed_is_413_and_nothing_is_handled(
    push: TestClient, sink: RecordingSink
) -> None:
    lines = b"\n".join(json.dumps(hostile.article(str(n))).encode() for n in range(limits.HTTP_BATCH_MAX_LINES + 1))
    resp = push.post("/v1/articles", content=lines, headers=NDJSON)
    assert resp.status_code == 413 and sink.articles == [] and sink.letters == []


def test_a_compressed_body_is_415(push: TestClient) -> None:
    headers = {**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"}
    assert push.post("/v1/articles", content=b"\x1f\x8b\x08\x00", headers=headers).status_code == 415


def test_a_body_trickled_past_its_deadline_is_408(sink: RecordingSink) -> None:
    client = client_for(Ingestor(IngestCore(), sink), body_timeout_s=0.3)

    async def trickle() -> AsyncIterator[bytes]:
        for char in json.dumps(hostile.article("slow")).encode():
            await asyncio.sleep(0.05)
            yield bytes([char])

    resp = client.post("/v1/articles", content=trickle(), headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 408 and sink.articles == []


# --- rows 53-56: parser inputs that raise something else -----------------------------------------------------------


@pytest.mark.parametrize("body", [hostile.DEEP_NESTING, hostile.HUGE_INTEGER], ids=["deep_nesting", "huge_integer"])
def test_json_the_parser_chokes_on_is_400_and_dead_lettered(
    push: TestClient, sink: RecordingSink, body: bytes
) -> None:
    before = sample("powderkeg_ingest_rejected_total", reason="invalid_json")
    resp = push.post("/v1/articles", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["reason"] == "invalid_json"
    assert sink.letters[0].original_sha256 == hashlib.sha256(body).hexdigest()
    assert sample("powderkeg_ingest_rejected_total", reason="invalid_json") == before + 1


def test_a_jsonl_batch_with_hostile_lines_publishes_the_good_ones(push: TestClient, sink: RecordingSink) -> None:
    lines = [
        json.dumps(hostile.article("first")).encode(),
        hostile.DEEP_NESTING,
        hostile.HUGE_INTEGER,
        hostile.LONE_SURROGATES,
        json.dumps(hostile.article("last")).encode(),
    ]
    resp = push.post("/v1/articles", content=b"\n".join(lines), headers=NDJSON)
    assert resp.status_code == 202, resp.text
    assert [e["line"] for e in resp.json()["errors"]] == [2, 3]
    assert [r["line"] for r in resp.json()["results"]] == [1, 4, 5]
    assert len(sink.articles) == 3 and len(sink.letters) == 2


def test_lone_surrogates_are_removed_not_a_crash(push: TestClient, sink: RecordingSink) -> None:
    json_type = {**AUTH, "Content-Type": "application/json"}
    resp = push.post("/v1/articles", content=hostile.LONE_SURROGATES, headers=json_type)
    assert resp.status_code == 202, resp.text
    (published,) = sink.articles
    assert published.text == "Pakistan accused Afghanistan of attacks." and published.title == "Talks"
    published.model_dump_json()  # encodable


# --- rows 57-59: event time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [(hostile.FUTURE, "future"), (hostile.YEAR_9999, "future"), (hostile.BEFORE_FLOOR, "before_floor")],
    ids=["year_2099", "year_9999", "year_0001"],
)
def test_a_publication_time_out_of_bounds_is_dropped_with_its_reason(
    push: TestClient, sink: RecordingSink, given: str, code: str
) -> None:
    before = sample("powderkeg_ingest_fields_dropped_total", field="published_at", reason=code)
    resp = push.post("/v1/articles", json=hostile.article(code + given, published_at=given), headers=AUTH)
    assert resp.status_code == 202
    (published,) = sink.articles
    assert published.published_at is None
    assert published.published_at_reason is not None and published.published_at_reason.startswith("dropped: ")
    assert given[:4] in published.published_at_reason
    assert sample("powderkeg_ingest_fields_dropped_total", field="published_at", reason=code) == before + 1


def test_a_publication_time_within_a_day_ahead_is_kept() -> None:
    raw = RawArticle(text=hostile.BODY, published_at="2025-10-29T20:00:00Z", origin=Origin.HTTP)
    article = IngestCore().accept(raw, now=NOW).article
    assert article is not None and article.published_at is not None


# --- rows 60-64: URLs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(hostile.BAD_URLS))
def test_a_url_that_is_not_a_valid_http_link_is_never_passed_on(
    push: TestClient, sink: RecordingSink, kind: str
) -> None:
    url, code = hostile.BAD_URLS[kind]
    before = sample("powderkeg_ingest_fields_dropped_total", field="url", reason=code)
    resp = push.post("/v1/articles", json=hostile.article(kind, url=url), headers=AUTH)
    assert resp.status_code == 202
    assert sink.articles[0].url is None
    (note,) = (n for n in resp.json()["results"][0]["notes"] if n.startswith("url:"))
    assert url[:40] in note  # kept as text, in the answer and the log, never as a link
    assert sample("powderkeg_ingest_fields_dropped_total", field="url", reason=code) == before + 1


def test_an_international_url_is_normalised_to_ascii(push: TestClient, sink: RecordingSink) -> None:
    resp = push.post("/v1/articles", json=hostile.article("idn", url="https://Bücher.example/straße?q=ü"), headers=AUTH)
    assert resp.status_code == 202
    assert sink.articles[0].url == "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC"


# --- rows 65-67: publishing fails ----------------------------------------------------------------------------------


def test_a_push_the_broker_did_not_acknowledge_is_503_and_nothing_is_recorded(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "ingest.sqlite3")
    flaky = FlakySink()
    ingestor = Ingestor(IngestCore(seen=state), flaky, state=state, health=PublishHealth(retry_after_s=30))
    client = client_for(ingestor)
    body = hostile.article("outage")
    flaky.failing = True
    refused = client.post("/v1/articles", json=body, headers=AUTH)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert ingestor.health.ready()[0] is False
    fast = client.post("/v1/articles", json=body, headers=AUTH)  # refused without touching the state
    assert fast.status_code == 503 and flaky.flushes == 1
    flaky.failing = False
    ingestor.health.retry_after_s = 0
    ingestor.health.failed("still recovering")  # open with no wait: the next unit may try
    accepted = client.post("/v1/articles", json=body, headers=AUTH)
    assert accepted.status_code == 202 and accepted.json()["results"][0]["status"] == "published"
    assert [a.text.endswith("Ref outage.") for a in flaky.articles] == [True]
    assert ingestor.health.ready()[0] is True
    state.close()


def test_a_failed_unit_leaves_no_state_behind_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "ingest.sqlite3"
    state = SqliteState(db)
    flaky = FlakySink()
    flaky.failing = True
    ingestor = Ingestor(IngestCore(seen=state), flaky, state=state)
    raw = RawArticle(text=hostile.BODY, origin=Origin.FILE)
    with pytest.raises(PublishError):
        ingestor.submit([InputRecord(ref="a.txt", raw=raw, data=b"")])
    flaky.failing = False
    ingestor.checkpoint()  # a later unit (the next tick) must not commit what the failed one staged
    state.close()
    again = SqliteState(db)
    assert len(again) == 0
    result = Ingestor(IngestCore(seen=again), RecordingSink(), state=again).submit(
        [InputRecord(ref="a.txt", raw=raw, data=b"")]
    )
    assert result[0].kind == "published"
    again.close()


def test_a_late_delivery_error_is_never_charged_to_the_next_unit() -> None:
    from powderkeg_ingest.publish import KafkaSink

    class Future:
        def __init__(self) -> None:
            self.is_done = False
            self.exception: BaseException | None = None

        def get(self, timeout: float | None = None) -> None:
            return None

    class Sender:
        closed = False

        def force_close(self) -> None:
            self.closed = True

        def join(self, timeout: float) -> None:
            return None

    class Producer:
        def __init__(self) -> None:
            self.futures: list[Future] = []
            self._sender = Sender()

        def send(self, topic: str, **kwargs: object) -> Future:
            self.futures.append(Future())
            return self.futures[-1]

        def flush(self, timeout: float) -> None:
            for future in self.futures:
                if future is not stale:
                    future.is_done = True

        def close(self, timeout: float) -> None:
            return None

    built: list[Producer] = []
    kafka = KafkaSink("127.0.0.1:1", timeout_s=0.2)
    kafka._build = lambda: built.append(Producer()) or built[-1]  # type: ignore[method-assign]
    article = IngestCore().accept(RawArticle(text=hostile.BODY, origin=Origin.HTTP), now=NOW).article
    assert article is not None
    stale: Future | None = None
    kafka.article(article)
    stale = built[0].futures[0]  # never acknowledged within the unit's deadline
    with pytest.raises(PublishError, match="not acknowledged within"):
        kafka.flush()
    assert built[0]._sender.closed  # the producer and its batches were discarded
    stale.is_done, stale.exception = True, TimeoutError("expired long after")  # the late error arrives now
    kafka.article(article)
    kafka.flush()  # the next unit, on a fresh producer, is not charged with it
    assert len(built) == 2


# --- rows 68-75: files and standard input --------------------------------------------------------------------------


def test_a_jsonl_file_with_parser_bombs_reads_every_later_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    good = json.dumps(hostile.article("late")).encode()
    path.write_bytes(b"\n".join([hostile.DEEP_NESTING, hostile.HUGE_INTEGER, hostile.LONE_SURROGATES, good]) + b"\n")
    items = list(read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=10**8))
    assert [getattr(i, "reason", "ok") for i in items] == ["invalid_json", "invalid_json", "ok", "ok"]


def test_a_json_file_nested_too_deep_is_a_rejection(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(hostile.DEEP_NESTING)
    (item,) = read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=10**8)
    assert isinstance(item, InputError) and item.reason == "invalid_json"


def test_a_jsonl_line_over_the_limit_is_rejected_and_the_next_line_read(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    good = json.dumps(hostile.article("next")).encode()
    path.write_bytes(b'{"text": "' + b"y" * (limits.INPUT_LINE_MAX_BYTES + 10) + b'"}\n' + good + b"\n")
    first, second = read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=10**8)
    assert isinstance(first, InputError) and first.reason == "too_large"
    assert len(first.data) == limits.INPUT_LINE_MAX_BYTES + 1
    assert isinstance(second, InputRecord) and second.ref.endswith(":2")


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    folder, outside = tmp_path / "in", tmp_path / "secret"
    folder.mkdir()
    outside.mkdir()
    (outside / "passwd.txt").write_text("root:x:0:0", encoding="utf-8")
    (folder / "ok.txt").write_text(hostile.BODY, encoding="utf-8")
    os.symlink(outside / "passwd.txt", folder / "leak.txt")
    os.symlink(outside, folder / "dir.jsonl")
    items = list(read_inputs([str(folder)], stdin=io.BytesIO(), max_file_bytes=10**6))
    reasons = sorted((Path(i.ref).name, getattr(i, "reason", "ok")) for i in items)
    assert reasons == [("dir.jsonl", "outside_folder"), ("leak.txt", "outside_folder"), ("ok.txt", "ok")]
    assert all(b"root:x" not in i.data for i in items)


def test_a_fifo_or_a_device_is_refused_unread(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    items = list(read_inputs([str(fifo), "/dev/zero", str(tmp_path)], stdin=io.BytesIO(), max_file_bytes=10**6))
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [("InputError", "unreadable")] * 3


def test_stdin_over_the_limit_is_refused() -> None:
    (item,) = read_stdin(io.BytesIO(b"Pakistan " * 200), max_bytes=1000)
    assert isinstance(item, InputError) and item.reason == "too_large" and len(item.data) <= 4096


def test_stdin_jsonl_with_a_parser_bomb_reads_every_later_line() -> None:
    good = json.dumps(hostile.article("stdin")).encode()
    items = list(read_stdin(io.BytesIO(good + b"\n" + hostile.DEEP_NESTING + b"\n" + good + b"\n")))
    assert [getattr(i, "reason", "ok") for i in items] == ["ok", "invalid_json", "ok"]
    assert [i.ref for i in items] == ["stdin:1", "stdin:2", "stdin:3"]


def test_a_core_bug_costs_one_dead_letter_not_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    sink = RecordingSink()
    ingestor = Ingestor(IngestCore(), sink)
    real = ingestor.core.accept

    def accept(raw: RawArticle, *, now: Any) -> Any:
        if "boom" in raw.text:
            raise KeyError("a bug")
        return real(raw, now=now)

    monkeypatch.setattr(ingestor.core, "accept", accept)
    texts = ["one", "boom", "two"]
    items = [
        InputRecord(ref=f"f:{n}", raw=RawArticle(text=f"{hostile.BODY} {t}"), data=b"") for n, t in enumerate(texts)
    ]
    results = ingestor.submit(items)
    assert [r.kind for r in results] == ["published", "rejected", "published"]
    assert results[1].reason == "internal_error" and sink.letters[0].error_class.endswith("internal_error")




# --- rows 76-77: dead letters --------------------------------------------------------------------------------------


def _letter(value: bytes, offset: int, *, cap_exceeded: bool = False) -> Any:
    from powderkeg_cli.dlq import Letter
    from powderkeg_runtime.dlq import build_dead_letter

    body = value * (limits.DEAD_LETTER_VALUE_MAX_BYTES if cap_exceeded else 1)
    letter, _ = build_dead_letter(
        value=body, key=b"k", stage="extractor", error=ValueError("bad"), topic="powderkeg.articles.v1", offset=offset
    )
    return Letter("powderkeg.articles.v1.dlq", 0, offset, letter)


def test_replay_sends_each_original_once_and_refuses_truncated_letters() -> None:
    from powderkeg_cli.dlq import plan_replay
    from powderkeg_runtime.dlq import TruncatedLetter, original_bytes

    first, copy, other, cut = _letter(b"a", 1), _letter(b"a", 2), _letter(b"b", 3), _letter(b"cc", 4, cap_exceeded=True)
    chosen, skipped = plan_replay([first, copy, other, cut])
    assert chosen == [first, other]
    assert "same original as powderkeg.articles.v1.dlq[0]@1" in skipped[0]
    assert "refused" in skipped[1] and "re-send it from its source" in skipped[1]
    with pytest.raises(TruncatedLetter):
        original_bytes(cut.letter)


def test_replay_without_a_choice_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from powderkeg_cli.dlq import main

    def no_broker(bootstrap: str, topics: object) -> list[object]:
        return []

    import powderkeg_cli.dlq as dlq

    original, dlq.read_letters = dlq.read_letters, no_broker  # type: ignore[assignment]
    try:
        assert main(["replay"]) == 2
    finally:
        dlq.read_letters = original
    assert "--key or --error-class" in capsys.readouterr().err


def test_an_error_message_with_lone_surrogates_still_makes_a_dead_letter() -> None:
    from powderkeg_runtime.codec import encode
    from powderkeg_runtime.dlq import build_dead_letter

    letter, _ = build_dead_letter(value=b"x", key=None, stage="ingest", error=ValueError("bad \ud800 input"),
                                  origin="http:\udfff")
    assert b"bad ? input" in encode(letter)
