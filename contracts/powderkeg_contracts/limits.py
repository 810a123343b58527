"""Size limits, end to end: what fits in a field, in a message, in a request, on the broker.

One module, so that every stage agrees. The chain, checked by ``tests/contract/test_limits.py``:

    field limits (characters)  ->  largest article ingest publishes  <  ARTICLE_MAX_BYTES
    ARTICLE_MAX_BYTES  <  PRODUCER_MAX_REQUEST_BYTES  <  BROKER_MESSAGE_MAX_BYTES  <=  CONSUMER_FETCH_MAX_BYTES
    any dead letter (any input, any key, any error)  <=  DEAD_LETTER_MAX_BYTES  <  PRODUCER_MAX_REQUEST_BYTES

A message over the broker's ``message.max.bytes`` is refused by the broker, and an idempotent producer treats that
refusal as fatal: every later send fails too. So nothing here may depend on the broker's answer; each producer
checks its own sizes first, and the broker's limit is set explicitly (``deploy/kafka/server.properties.template``,
``docker-compose.yml``) to the value below.

Characters and bytes: field limits are in characters (pydantic's ``max_length``, JSON Schema's ``maxLength``); a
character is 1-4 bytes of UTF-8, and JSON escapes ``"``, ``\\`` and newlines as two bytes. Ingest removes control
characters, so an encoded text is at most twice its UTF-8 size; ingest still measures the encoded article before it
sends it, and refuses what does not fit (``too_large``) rather than trusting the arithmetic.
"""

from __future__ import annotations

from typing import Final

# --- fields of an Article (characters) -----------------------------------------------------------------------------

TEXT_MAX_BYTES: Final = 400_000
"""UTF-8 bytes of an article's normalised text. Long-form journalism runs to 100 KB; twice this still fits."""
TEXT_MAX_CHARS: Final = TEXT_MAX_BYTES
"""The same bound in characters (a character is at least one byte), as the contract states it."""
TITLE_MAX_CHARS: Final = 1_000
URL_MAX_CHARS: Final = 2_048
"""The longest URL browsers and proxies handle everywhere; ingest keeps only valid http(s) URLs up to this."""
SOURCE_MAX_CHARS: Final = 200
DATELINE_MAX_CHARS: Final = 200
LANGUAGE_MAX_CHARS: Final = 16
REASON_MAX_CHARS: Final = 500
"""Any ``*_reason`` field: a sentence saying why a field is empty."""

# --- messages and requests (bytes) --------------------------------------------------------------------------------

BROKER_MESSAGE_MAX_BYTES: Final = 1_048_576
"""The broker's ``message.max.bytes`` (1 MiB): at most the consumers' default per-partition fetch size, so no
consumer can meet a record it cannot fetch."""
CONSUMER_FETCH_MAX_BYTES: Final = 1_048_576
"""kafka-python's and aiokafka's default ``max_partition_fetch_bytes``."""
PRODUCER_MAX_REQUEST_BYTES: Final = 1_000_000
"""Every producer's ``max_request_size`` (faust's default ``producer_max_request_size`` is the same); below the
broker's limit by more than a record batch's overhead."""
RECORD_OVERHEAD_BYTES: Final = 200
"""What a record costs beyond its key, value and headers in a request (batch and record headers, lengths); a stage
refuses to send an output whose key and value with this exceed ``PRODUCER_MAX_REQUEST_BYTES``."""
ARTICLE_MAX_BYTES: Final = 900_000
"""Largest encoded Article ingest sends; larger ones are rejected (``too_large``) and dead-lettered."""

DEAD_LETTER_VALUE_MAX_BYTES: Final = 256_000
"""Bytes of the original value a dead letter carries; a longer original is cut (``truncated``) and identified by its
size and SHA-256. Base64 makes 4 bytes of every 3."""
DEAD_LETTER_KEY_MAX_BYTES: Final = 1_024
DEAD_LETTER_TEXT_MAX_CHARS: Final = 2_000
"""Error message, error class and origin of a dead letter, each."""
DEAD_LETTER_MAX_BYTES: Final = 400_000
"""Largest encoded dead letter (checked by the contract tests for the worst input)."""

HTTP_BODY_MAX_BYTES: Final = 5_000_000
"""Push API body: a JSONL batch. The largest valid article, JSON-escaped at its worst (6 bytes per byte), fits."""
HTTP_BATCH_MAX_LINES: Final = 1_000
"""Lines of one JSONL push: a batch is one unit of work, acknowledged or refused as a whole."""
INPUT_LINE_MAX_BYTES: Final = 3_000_000
"""One JSONL line from a file or stdin (one article, JSON-escaped); longer lines are rejected unread."""
STDIN_MAX_BYTES: Final = 50_000_000
"""Standard input read as one plain-text article or JSON lines; more is refused."""
