"""Near-duplicates: syndicated copies are found, different stories are not, the window is bounded and restorable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from powderkeg_ingest.core.near import NearConfig, NearIndex, overlap, shingles
from powderkeg_ingest.core.pipeline import CoreConfig, IngestCore, RawArticle
from powderkeg_ingest.state import SqliteState

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 1, 2, tzinfo=UTC)
SEED = (REPO / "seeds" / "000_63084aac38a30e02.txt").read_text(encoding="utf-8").split("\n", 1)[1]
VOA = [json.loads(line) for line in (REPO / "seeds" / "voa" / "voa_selection.jsonl").read_text().splitlines()]


def syndicated_copy(text: str) -> str:
    """Byline on top, last third of the paragraphs trimmed, a few words changed, a boilerplate line at the end."""
    paragraphs = text.split("\n")
    kept = paragraphs[: max(2, len(paragraphs) * 2 // 3)]
    body = "\n".join(kept).replace(" said ", " stated ").replace("Pakistan’s", "Pakistani")
    return f"By Staff Reporter\n\n{body}\n\nAll rights reserved."


def test_shingles_ignore_case_and_punctuation() -> None:
    assert shingles("The talks, FAILED today.", 2) == {"the talks", "talks failed", "failed today"}
    assert shingles("one", 3) == {"one"}
    assert shingles("", 3) == set()


def test_overlap_of_a_contained_half_is_one() -> None:
    # A has 100 shingles, B is 50 of them: J = 0.5, overlap of the smaller = 1.
    assert overlap(0.5, 100, 50) == pytest.approx(1.0)
    assert overlap(0.0, 100, 50) == 0.0


def test_syndicated_copy_is_found_and_other_stories_are_not() -> None:
    index = NearIndex()
    index.add("seed", SEED, now=NOW, original=None)
    for row in VOA:
        assert index.find(row["text"], now=NOW) is None, row["title"]
        index.add(row["id"], row["text"], now=NOW, original=None)
    assert index.find(syndicated_copy(SEED), now=NOW) == "seed"


def test_copies_of_copies_point_to_the_first_original() -> None:
    index = NearIndex()
    index.add("first", SEED, now=NOW, original=None)
    index.add("second", syndicated_copy(SEED), now=NOW, original="first")
    index.add("unrelated", VOA[0]["text"], now=NOW, original=None)
    assert index.find(syndicated_copy(syndicated_copy(SEED)), now=NOW) == "first"


def test_short_texts_never_match() -> None:
    index = NearIndex()
    index.add("a", "Talks failed in Istanbul.", now=NOW, original=None)
    assert index.find("Talks failed in Istanbul.", now=NOW) is None


def test_window_is_bounded_by_count() -> None:
    index = NearIndex(NearConfig(window_count=2))
    index.add("seed", SEED, now=NOW, original=None)
    index.add("v0", VOA[0]["text"], now=NOW, original=None)
    index.add("v1", VOA[1]["text"], now=NOW, original=None)
    assert len(index) == 2
    assert index.find(syndicated_copy(SEED), now=NOW) is None


def test_window_is_bounded_by_time() -> None:
    index = NearIndex(NearConfig(window_seconds=3600))
    index.add("seed", SEED, now=NOW, original=None)
    assert index.find(syndicated_copy(SEED), now=NOW + timedelta(minutes=59)) == "seed"
    assert index.find(syndicated_copy(SEED), now=NOW + timedelta(minutes=61)) is None
    assert len(index) == 0


def test_core_publishes_near_duplicates_with_duplicate_of() -> None:
    core = IngestCore(CoreConfig(detect_language=False), near=NearIndex())
    first = core.accept(RawArticle(text=SEED), now=NOW)
    copy = core.accept(RawArticle(text=syndicated_copy(SEED), title="Another headline"), now=NOW)
    other = core.accept(RawArticle(text=VOA[0]["text"]), now=NOW)
    assert first.article is not None and copy.article is not None and other.article is not None
    assert copy.kind == "near_duplicate"
    assert copy.article.duplicate_of == first.article.article_id
    assert copy.article.story_id == first.article.article_id
    assert other.kind == "published" and other.article.duplicate_of is None


def test_near_window_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "ingest.sqlite3"
    state = SqliteState(db)
    index = NearIndex(journal=state)
    index.add("seed", SEED, now=NOW, original=None)
    state.commit()
    state.close()

    reopened = SqliteState(db)
    restored = NearIndex(journal=reopened)
    restored.restore(reopened.near_entries(), now=NOW + timedelta(hours=1))
    assert restored.find(syndicated_copy(SEED), now=NOW + timedelta(hours=1)) == "seed"
    expired = NearIndex(NearConfig(window_seconds=60), journal=reopened)
    expired.restore(reopened.near_entries(), now=NOW + timedelta(hours=1))
    assert len(expired) == 0
    reopened.commit()
    assert reopened.near_entries() == []


_TIE_SCRIPT = """
import json, sys
from datetime import UTC, datetime
from powderkeg_ingest.core.near import NearIndex
from tests.support.articles import make_articles

index = NearIndex()
at = datetime(2025, 10, 1, tzinfo=UTC)
found = {}
for article in make_articles(400, seed=7, prefix="t-"):
    original = index.find(article.text, now=at)
    index.add(article.article_id, article.text, now=at, original=original)
    found[article.article_id] = original
json.dump(found, sys.stdout)
"""


def test_the_original_named_does_not_depend_on_the_hash_seed() -> None:
    """Templated one-sentence articles tie on overlap with several earlier stories. LSH yields candidates in set
    order, which changes with PYTHONHASHSEED; a restarted ingest must still name the same original (the chaos test
    once saw a redelivered article's events change story id because of this)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    runs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        done = subprocess.run(
            [sys.executable, "-c", _TIE_SCRIPT], env=env, cwd=root, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout))
    assert sum(1 for v in runs[0].values() if v) > 100  # the ties this test is about are really exercised
    assert runs[0] == runs[1] == runs[2]
