"""faust's table manager with one race of its recovery closed: records fetched during the seek were lost.

When a rebalance's table recovery ends, faust (``Recovery.on_recovery_completed``, faust-streaming 0.15.3) resumes
the input partitions, seeks them to their committed offsets, and only then resumes flow control, which clears every
stream's queue. The consumer's flow is already active at that point (recovery turned it on to read the changelogs),
so the fetcher can deliver input records between the resume and the seek: they are put on the stream's queue and
cleared with it, and the fetcher has meanwhile recorded their offsets as read, after the seek set the read offsets
back to the committed ones. When the same records come again from the committed offset, the fetcher drops them as
already read. One or more records of a partition were then never processed and never acknowledged, the partition's
committed offset stopped, and only the input watchdog's exit for a restart (:mod:`powderkeg_runtime.watchdog`) got
them processed, 45 s or more later. The alerting scale-out test caught it: the survivor of a killed worker skipped
the first record of a partition it took over.

:class:`SeekSafeRecovery` stops the consumer's flow before faust's completion runs, and gives the fetcher a moment
to notice (it checks the flow before every record it delivers, and discards a fetch that returns while the flow is
stopped), so nothing is delivered between the resume and the seek and every read offset the seek sets stands.
faust's completion resumes the flow itself. Records the streams had taken before are processed and acknowledged
as usual; if they were not committed yet they come again after the seek, as duplicates, which every stage handles.
"""

from __future__ import annotations

import asyncio
from typing import Final

from faust.tables import TableManager
from faust.tables.recovery import Recovery

FETCHER_PAUSE_S: Final = 0.05
"""How long the fetcher gets to see the stopped flow: it wakes at once from a delivery (the consumer's
``suspend_flow`` event), so a few event-loop turns suffice; the pause bounds them."""


class SeekSafeRecovery(Recovery):
    """faust's recovery service, with the consumer's flow stopped while it resumes and seeks the input partitions."""

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        self.app.consumer.stop_flow()
        await asyncio.sleep(FETCHER_PAUSE_S)
        await super().on_recovery_completed(generation_id)


class SeekSafeTableManager(TableManager):
    """faust's table manager whose recovery service is :class:`SeekSafeRecovery` (the app's ``TableManager``)."""

    @property
    def recovery(self) -> Recovery:
        # faust builds the service lazily in this property and keeps it in ``_recovery``: the one private attribute
        # read here, as the subclassing point faust's own property offers.
        if self._recovery is None:
            self._recovery = SeekSafeRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        recovery: Recovery = self._recovery
        return recovery
