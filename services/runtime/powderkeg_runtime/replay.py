"""Exiting for replay: the one safe answer when a consumed message can be neither processed nor dead-lettered."""

from __future__ import annotations

import logging
import os
from typing import NoReturn

EXIT_REPLAY = 75
"""Exit status of a worker that stopped itself so that an unprocessed message is replayed (EX_TEMPFAIL)."""


def crash_for_replay(log: logging.Logger, what: str) -> NoReturn:
    """Stop the process at once, before faust can ack the message in hand.

    An exception that escapes a faust agent acks the message: it would be committed and lost. When a message can
    be neither processed nor dead-lettered (the broker is gone), the only safe move is to exit without acking; the
    restarted worker (compose ``restart:``, systemd, the chaos harness) resumes from the last committed offset.
    """
    log.critical("%s; exiting with status %d so the message is replayed, not acked", what, EXIT_REPLAY)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(EXIT_REPLAY)
