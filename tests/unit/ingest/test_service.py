"""The service shell without a broker: the CLI's dry run, dead letters with file:line, durable exact de-duplication."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from powderkeg_contracts import Article, DeadLetter
from powderkeg_ingest.core.pipeline import IngestCore
from powderkeg_ingest.ingestor import Ingestor
from powderkeg_ingest.service import EXIT_REJECTED, EXIT_USAGE, main
from powderkeg_ingest.sources.files import read_inputs
from powderkeg_ingest.state import SqliteState
from tests.support.sinks import RecordingSink

REPO = Path(__file__).resolve().parents[3]


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for option in ("--feed", "--serve", "--once", "--dry-run", "--state-dir", "--metrics-port", "PATH"):
        assert option in out


def test_no_input_is_a_usage_error() -> None:
    assert main([]) == EXIT_USAGE


def test_dry_run_prints_the_seed_articles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dry-run", "--no-progress", str(REPO / "seeds")]) == 0
    lines = capsys.readouterr().out.splitlines()
    articles = [Article.model_validate_json(line) for line in lines]
    assert len(articles) == 13
    assert articles[0].source == "NN ONLINE"
    assert {a.article_id for a in articles[1:]} >= {"8010842"}


def test_dry_run_reports_rejects_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "A body long enough to be an article."}\n{broken\n', encoding="utf-8")
    assert main(["--dry-run", "--no-progress", str(path)]) == EXIT_REJECTED
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert f"{path}:2" in captured.err


def test_stdin_dash(capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.BytesIO("KABUL, Afghanistan (AP) — The Taliban said talks would resume.".encode())
    assert main(["--dry-run", "--no-progress", "-"], stdin=stdin) == 0
    article = Article.model_validate_json(capsys.readouterr().out)
    assert (article.dateline, article.source, article.origin.value) == ("KABUL, Afghanistan", "AP", "stdin")


def test_rejected_lines_are_dead_lettered_with_origin_and_original_bytes(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "ok body"}\n{"text": ""}\n')
    sink = RecordingSink()
    ingestor = Ingestor(IngestCore(), sink)
    for item in read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=1000):
        ingestor.handle(item)
    assert len(sink.articles) == 1
    (letter,) = sink.letters
    assert letter.origin == f"{path}:2"
    assert letter.stage == "ingest"
    assert letter.original_topic is None
    assert letter.error_class.endswith("empty_text")
    assert base64.b64decode(letter.original_value) == b'{"text": ""}'


def test_exact_dedupe_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state" / "ingest.sqlite3"
    story = tmp_path / "s.txt"
    story.write_text("NN ONLINE:\nPakistan said the talks in Istanbul collapsed on Wednesday.", encoding="utf-8")

    def run() -> RecordingSink:
        state = SqliteState(db)
        sink = RecordingSink()
        ingestor = Ingestor(IngestCore(seen=state), sink, state=state)
        for item in read_inputs([str(story)], stdin=io.BytesIO(), max_file_bytes=1000):
            ingestor.handle(item)
        ingestor.checkpoint()
        state.close()
        return sink

    assert len(run().articles) == 1
    second = run()
    assert second.articles == [] and second.flushes == 1


def test_uncommitted_state_is_forgotten_so_a_crash_resends(tmp_path: Path) -> None:
    db = tmp_path / "ingest.sqlite3"
    state = SqliteState(db)
    state.add("d" * 64, "a-1")
    state.close()  # no commit: as if the process died before the producer flush
    assert SqliteState(db).get("d" * 64) is None


def test_dead_letter_json_round_trips(tmp_path: Path) -> None:
    sink = RecordingSink()
    ingestor = Ingestor(IngestCore(), sink)
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"text": "body", "id": "bad id"}), encoding="utf-8")
    for item in read_inputs([str(path)], stdin=io.BytesIO(), max_file_bytes=1000):
        ingestor.handle(item)
    (letter,) = sink.letters
    assert DeadLetter.model_validate_json(letter.model_dump_json()) == letter
    assert "invalid_id" in letter.error_message
