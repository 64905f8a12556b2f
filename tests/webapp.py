"""A tornado server of the test's own on a loopback port, in a thread with its own event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets


@contextmanager
def serve_app(server: HTTPServer) -> Iterator[str]:
    """Serve until the block ends; yields http://127.0.0.1:<port>."""
    started, box = threading.Event(), {}

    async def run() -> None:
        sockets = bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        box.update(port=sockets[0].getsockname()[1], loop=asyncio.get_running_loop(), stop=asyncio.Event())
        started.set()
        await box["stop"].wait()
        server.stop()
        await server.close_all_connections()

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield f"http://127.0.0.1:{box['port']}"
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(10)
