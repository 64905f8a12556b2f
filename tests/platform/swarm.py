"""A second Docker engine of the tests' own, a single-node Swarm manager, in a network namespace
the test makes: its own data root, socket and bridges, so that the main engine's containers are
never touched (leaving a swarm has broken running containers' networks). Images come from the
main engine (`docker save | docker load`); the hub it runs is reached through a forwarder on
this machine's loopback, as a browser reaches a hub."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker

NETWORKS = ipaddress.ip_network("10.213.0.0/16")  # a /30 of it links this machine to the namespace


def sh(*command: str, **options) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, **options)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()[-500:]}")
    return done


def free_link() -> ipaddress.IPv4Network:
    """A /30 no address of this machine is in."""
    shown = json.loads(sh("ip", "-j", "-4", "addr").stdout)
    taken = [ipaddress.ip_network(f"{entry['local']}/{entry['prefixlen']}", strict=False)
             for link in shown for entry in link.get("addr_info", [])]
    links = list(NETWORKS.subnets(new_prefix=30))
    for _ in range(100):
        link = secrets.choice(links)
        if not any(link.overlaps(network) for network in taken):
            return link
    raise RuntimeError(f"no free /30 in {NETWORKS}")


@dataclass
class SwarmEngine:
    namespace: str
    address: str  # the engine's address in its namespace (Swarm advertises it)
    socket: Path
    folder: Path
    process: subprocess.Popen
    workers: list[SwarmEngine] = field(default_factory=list)  # nodes joined to this manager

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.url, timeout=300)

    def docker(self, *args: str) -> subprocess.CompletedProcess:
        return sh("docker", "-H", self.url, *args)


def _wait_for(engine: SwarmEngine, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            break
        if subprocess.run(["docker", "-H", engine.url, "info"], capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    log = (engine.folder / "dockerd.log").read_text()[-1500:]
    raise RuntimeError(f"a test Docker engine did not start: {log}")


def copy_images(engine: SwarmEngine, images: list[str]) -> None:
    """From the main engine to this one, in one archive (shared layers once)."""
    with subprocess.Popen(["docker", "save", *images], stdout=subprocess.PIPE) as saving:
        loaded = subprocess.run(["docker", "-H", engine.url, "load", "-q"], stdin=saving.stdout,
                                capture_output=True, text=True)
    if saving.returncode or loaded.returncode:
        raise RuntimeError(f"copying {images} to a test engine: {loaded.stderr[-500:]}")


def _link(one: str | None, other: str, name: str, addresses: tuple[str, str]) -> None:
    """A veth pair between namespace ``one`` (None: this machine's) and ``other``, with a /30 address each."""
    sh("ip", "link", "add", f"{name}a", "type", "veth", "peer", "name", f"{name}b")
    for end, namespace, address in ((f"{name}a", one, addresses[0]), (f"{name}b", other, addresses[1])):
        inside = ("ip", "netns", "exec", namespace) if namespace else ()
        if namespace:
            sh("ip", "link", "set", end, "netns", namespace)
        sh(*inside, "ip", "addr", "add", f"{address}/30", "dev", end)
        sh(*inside, "ip", "link", "set", end, "up")


def _engine(namespace: str, folder: Path) -> SwarmEngine:
    """dockerd in ``namespace`` (nsenter, not `ip netns exec`: that remounts /sys), named after it, all its
    files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "dockerd.log", "w") as log:
        process = subprocess.Popen(
            ["nsenter", f"--net=/var/run/netns/{namespace}", "unshare", "--uts", "sh", "-c",
             'hostname "$0" && exec "$@"', namespace,  # its own host name: the node's name in the swarm
             "dockerd", "--data-root", str(folder / "data"),
             "--exec-root", str(folder / "exec"), "-H", f"unix://{folder / 'docker.sock'}",
             "--pidfile", str(folder / "docker.pid"), "--no-new-privileges"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    engine = SwarmEngine(namespace, "", folder / "docker.sock", folder, process)
    _wait_for(engine)
    return engine


@contextlib.contextmanager
def swarm_engine(images: list[str], workers: int = 0, worker_images: list[str] = ()) -> Iterator[SwarmEngine]:
    """A Swarm manager on a second engine holding ``images`` and, with ``workers=1``, a worker node (in a
    namespace of its own, linked to the manager's only, holding ``worker_images``); all removed afterwards."""
    if workers not in (0, 1):
        raise ValueError("one worker at most: the worker's namespace is linked to the manager's alone")
    tag = secrets.token_hex(3)
    folder = Path(tempfile.mkdtemp(prefix="slsw"))  # short: the engines' sockets live below it
    namespaces = [f"slsw{tag}m", *(f"slsw{tag}w{number}" for number in range(workers))]
    started: list[SwarmEngine] = []
    try:
        for namespace in namespaces:
            sh("ip", "netns", "add", namespace)
            sh("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        here, there = (str(address) for address in free_link().hosts())
        _link(None, namespaces[0], f"sl{tag}h", (here, there))  # this machine reaches the hub's port
        near, far = (str(address) for address in free_link().hosts())
        if workers:  # the swarm's own link: its traffic leaves from the address it advertises
            _link(namespaces[0], namespaces[1], f"sl{tag}w", (near, far))
        manager = _engine(namespaces[0], folder / "m")
        manager.address = there
        started.append(manager)
        manager.docker("swarm", "init", "--advertise-addr", near if workers else there)
        copy_images(manager, images)
        if workers:
            worker = _engine(namespaces[1], folder / "w0")
            worker.address = far
            started.append(worker)
            token = manager.docker("swarm", "join-token", "-q", "worker").stdout.strip()
            worker.docker("swarm", "join", "--token", token, "--advertise-addr", far, f"{near}:2377")
            copy_images(worker, list(worker_images))
            manager.workers.append(worker)
        yield manager
    finally:
        for engine in reversed(started):
            _empty(engine)
            _stop(engine.process, engine.folder)
        for namespace in namespaces:  # their veths go with them
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", f"sl{tag}ha"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _empty(engine: SwarmEngine) -> None:
    """Remove its services and containers through its API, so that none outlives the engine."""
    with contextlib.suppress(Exception):  # an engine that never answered has nothing
        client = engine.client()
        with contextlib.suppress(docker.errors.APIError):  # a worker has no services to list
            for service in client.services.list():
                service.remove()
        for container in client.containers.list(all=True):
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True)
        client.close()


def _stop(process: subprocess.Popen, folder: Path) -> None:
    """Stop the engine we started (its containers stop with it), by its id, never by name."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()
              if line.split()[1].startswith(str(folder))]
    for mount in sorted(mounts, reverse=True):  # anything the engine left mounted below its folder
        subprocess.run(["umount", "-l", mount], capture_output=True)


class Forwarder:
    """127.0.0.1:``port`` on this machine to (``host``, ``port``) in the engine's namespace."""

    def __init__(self, port: int, host: str):
        self.target = (host, port)
        self.server = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def close(self) -> None:
        self.server.close()
