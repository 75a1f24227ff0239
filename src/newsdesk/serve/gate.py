"""A first-come, first-served gate on the model: at most `limit` requests run at once.

The embedded model runs one request at a time, so its limit is 1 and requests wait in arrival
order; an endpoint gets `--max-concurrency`. Waiters are a FIFO of futures (not a bare
Semaphore, whose wake-up order is not promised), so each can be told its place in the queue.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Gate:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def position(self, ticket: asyncio.Future[None] | None) -> int:
        """1 for the next to run; 0 when not waiting."""
        try:
            return list(self._waiters).index(ticket) + 1 if ticket is not None else 0
        except ValueError:
            return 0

    def enqueue(self) -> asyncio.Future[None] | None:
        """A ticket to await, or None when a place is free now (taken at once)."""
        if self.running < self.limit and not self._waiters:
            self.running += 1
            return None
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(ticket)
        return ticket

    def cancel(self, ticket: asyncio.Future[None]) -> None:
        """A waiter that gave up (its client left): out of the queue, or its place passed on."""
        if ticket in self._waiters:
            self._waiters.remove(ticket)
            ticket.cancel()
        elif ticket.done() and not ticket.cancelled():
            self.release()

    def release(self) -> None:
        while self._waiters:
            ticket = self._waiters.popleft()
            if not ticket.done():
                ticket.set_result(None)  # the place passes straight on: running stays the same
                return
        self.running -= 1

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        ticket = self.enqueue()
        if ticket is not None:
            try:
                await ticket
            except asyncio.CancelledError:
                self.cancel(ticket)
                raise
        try:
            yield
        finally:
            self.release()
