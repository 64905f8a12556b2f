"""Kernel activity for the training's KPIs: how many cells a learner runs, minute by minute, in each lab.

Why in the kernel: the hub only sees that a learner's server is up (a login, a tab left open). A cell that
runs is the learner working in JupyterLab, and only the kernel knows it, and for which lab: Jupyter Server
gives each kernel its notebook's path ($JPY_SESSION_NAME), ``labs/<lab-id>/...`` under the learner's home.

The learner stays in control: this is an ordinary IPython extension of their own kernel
(``%unload_ext sandlab.kpis.kernel_activity`` stops it), and it reports only their own activity: for
each minute, the lab's id and a number of executed cells, never code, outputs or data. It sends them
with the server's own token ($JUPYTERHUB_API_TOKEN) to the hub's KPI service ($SANDLAB_KPIS_URL), which
asks the hub whose token it is: nothing here names the learner, no one can report for someone else.

It never gets in the learner's way: no output, no exception leaves it, at most MAX_MINUTES minutes in
memory (the oldest dropped), minutes not delivered are sent again at the next flush, and without
$SANDLAB_KPIS_URL or a token (the autograding sandbox, lab validation) it does nothing at all.
Loaded in every kernel of the lab image by images/lab/ipython_kernel_config.py.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

from sandlab.framework import LAB_ID
from sandlab.kpis.limits import MAX_MINUTES_PER_CALL, PAST_MINUTES

FLUSH_EVERY = 60.0  # seconds between two sends
TIMEOUT = 5.0  # seconds for one call to the service
FLUSH_BUDGET = 30.0  # seconds for a whole flush (at most MAX_MINUTES / MAX_PER_CALL calls)
EXIT_BUDGET = 2.0  # seconds for the last flush when the kernel stops (its server waits a few seconds only)
MAX_MINUTES = 1000  # minutes kept while the service is unreachable (about 16 hours of work)
MAX_PER_CALL = MAX_MINUTES_PER_CALL  # the service's limit
MAX_AGE = PAST_MINUTES - 60  # minutes; the service refuses older ones (one hour of margin)

Service = tuple[str, str]  # (base URL ending with '/', token)


def service() -> Service | None:
    """The KPI service and the token to call it with, or None outside a learner's server."""
    url, token = os.environ.get("SANDLAB_KPIS_URL", ""), os.environ.get("JUPYTERHUB_API_TOKEN", "")
    if not url or not token:
        return None
    return (url if url.endswith("/") else url + "/"), token


def lab_of(session_name: str | None) -> str | None:
    """The lab a notebook belongs to, from its path (relative to the learner's home or absolute):
    ``labs/<lab-id>/...``; None for any other notebook."""
    path = PurePosixPath(session_name or "")
    if path.is_absolute():
        try:
            path = path.relative_to(Path.home().as_posix())
        except ValueError:
            return None
    parts = path.parts
    if len(parts) >= 3 and parts[0] == "labs" and re.match(LAB_ID, parts[1]):
        return parts[1]
    return None


# The service is the hub's, on the platform's internal network: never through a proxy.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(where: Service, method: str, path: str, body: object = None, timeout: float = TIMEOUT) -> tuple[int, bytes]:
    """One call to the KPI service: (HTTP status, response body). An HTTP error status is an answer;
    a service out of reach raises (OSError, http.client.HTTPException)."""
    url, token = where
    headers = {"Authorization": f"token {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url + path, data=data, headers=headers, method=method)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


class ActivityCounter:
    """Executed cells per minute (Unix time // 60) for one lab, sent to the service in batches."""

    def __init__(self, where: Service, lab: str, clock=time.time) -> None:
        self.where, self.lab, self.clock = where, lab, clock
        self._counts: dict[int, int] = {}  # minute -> executions, oldest first
        self._lock = threading.Lock()  # guards _counts: cells count on the main thread, flushes on another
        self._sending = threading.Lock()  # one flush at a time, so nothing is sent twice
        self._stop = threading.Event()

    def count(self, *_result) -> None:
        """IPython's post_run_cell callback: one more executed cell in this minute."""
        with contextlib.suppress(Exception):
            minute = int(self.clock()) // 60
            with self._lock:
                self._counts[minute] = self._counts.get(minute, 0) + 1
                while len(self._counts) > MAX_MINUTES:
                    del self._counts[next(iter(self._counts))]

    def pending(self) -> dict[int, int]:
        with self._lock:
            return dict(self._counts)

    def flush(self, budget: float = FLUSH_BUDGET) -> bool:
        """Send the counted minutes within ``budget`` seconds; True when nothing is left to send. A minute
        the service accepted or refused for good (a 4xx answer) is forgotten; any other is kept."""
        deadline = time.monotonic() + budget
        try:
            if not self._sending.acquire(timeout=budget):
                return False
            try:
                for _ in range(MAX_MINUTES // MAX_PER_CALL + 1):
                    batch = self._next_batch()
                    left = deadline - time.monotonic()
                    if not batch or left <= 0:
                        return not batch
                    if not self._send(batch, min(TIMEOUT, left)):
                        return False
                    self._forget(batch)
                return not self.pending()
            finally:
                self._sending.release()
        except Exception:
            return False

    def _next_batch(self) -> list[tuple[int, int]]:
        oldest = int(self.clock()) // 60 - MAX_AGE
        with self._lock:
            for minute in [minute for minute in self._counts if minute < oldest]:
                del self._counts[minute]
            return list(self._counts.items())[:MAX_PER_CALL]

    def _send(self, batch: list[tuple[int, int]], timeout: float) -> bool:
        """True when the service is done with this batch: stored it, or refused it for good."""
        body = {"minutes": [{"lab": self.lab, "minute": minute, "executions": n} for minute, n in batch]}
        try:
            status, _ = call(self.where, "POST", "api/activity", body, timeout)
        except Exception:
            return False
        return 200 <= status < 300 or (400 <= status < 500 and status not in (408, 429))

    def _forget(self, batch: list[tuple[int, int]]) -> None:
        """Take the sent executions off (cells run during the call stay counted)."""
        with self._lock:
            for minute, sent in batch:
                left = self._counts.get(minute, 0) - sent
                if left > 0:
                    self._counts[minute] = left
                else:
                    self._counts.pop(minute, None)

    def start(self) -> None:
        threading.Thread(target=self._run, name="sandlab-kpis", daemon=True).start()
        atexit.register(self.stop)

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_EVERY):
            self.flush()

    def stop(self) -> None:
        """The last flush, briefly: the kernel is stopping."""
        self._stop.set()
        self.flush(EXIT_BUDGET)


_counter: ActivityCounter | None = None


def load_ipython_extension(ip) -> None:
    global _counter
    with contextlib.suppress(Exception):
        where, lab = service(), lab_of(os.environ.get("JPY_SESSION_NAME"))
        if where is None or lab is None or _counter is not None:
            return
        _counter = ActivityCounter(where, lab)
        ip.events.register("post_run_cell", _counter.count)
        _counter.start()


def unload_ipython_extension(ip) -> None:
    global _counter
    with contextlib.suppress(Exception):
        if _counter is None:
            return
        counter, _counter = _counter, None
        ip.events.unregister("post_run_cell", counter.count)
        atexit.unregister(counter.stop)
        counter.stop()
