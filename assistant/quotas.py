"""Fairness on a shared machine: requests per minute and tokens per day per learner (and, if the
cohort caps it, for all its learners together), one request
in flight per learner, and a bounded number of generations at once with a short queue; past it,
429 with Retry-After rather than a slow timeout for everyone."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sandlab.assistant.errors import ApiError
from sandlab.cohort import AssistantPolicy

WINDOW = 60.0


def seconds_to_midnight(now: float) -> float:
    moment = datetime.fromtimestamp(now, UTC)
    tomorrow = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - moment).total_seconds()


class Quotas:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.recent: dict[str, deque[float]] = defaultdict(deque)

    def admit(self, user: str, policy: AssistantPolicy, tokens_today: int, cohort_tokens_today: int = 0) -> None:
        """Count the request, or refuse it with when to try again."""
        now = self.clock()
        if policy.cohort_tokens_per_day is not None and cohort_tokens_today >= policy.cohort_tokens_per_day:
            raise ApiError(429, "your cohort's tokens of today are used; they come back at midnight (UTC)",
                           "cohort_tokens_per_day", retry_after=seconds_to_midnight(now))
        if tokens_today >= policy.tokens_per_day:
            raise ApiError(429, f"your {policy.tokens_per_day} tokens of today are used; they come back at "
                           "midnight (UTC)", "tokens_per_day", retry_after=seconds_to_midnight(now))
        recent = self.recent[user]
        while recent and now - recent[0] >= WINDOW:
            recent.popleft()
        if len(recent) >= policy.requests_per_minute:
            raise ApiError(429, f"at most {policy.requests_per_minute} requests a minute: wait a little",
                           "requests_per_minute", retry_after=WINDOW - (now - recent[0]))
        recent.append(now)


class Slots:
    """At most ``limit`` generations at once and ``queue`` waiting; each learner one at a time."""

    def __init__(self, limit: int, queue: int) -> None:
        self.limit, self.queue = limit, queue
        self.free = asyncio.Semaphore(limit)
        self.waiting = 0
        self.busy: set[str] = set()

    @asynccontextmanager
    async def held(self, user: str) -> AsyncIterator[None]:
        if user in self.busy:
            raise ApiError(429, "one request at a time: wait for your previous answer", "one_at_a_time",
                           retry_after=2)
        if self.free.locked() and self.waiting >= self.queue:
            raise ApiError(429, "the assistant is busy with other learners: try again in a few seconds", "busy",
                           retry_after=5)
        self.busy.add(user)
        self.waiting += 1
        entered = False
        try:
            await self.free.acquire()
            self.waiting -= 1
            entered = True
            yield
        finally:
            if entered:
                self.free.release()
            else:  # cancelled while queued (the learner went away)
                self.waiting -= 1
            self.busy.discard(user)
