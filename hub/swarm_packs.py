"""A cohort's pack onto every Swarm node, so that its learners may run on any of them.

A manager's API reaches no other node's volumes: the pack travels instead. A short-lived
server container on this manager holds the pack's archive; on each node still without the
pack, a one-shot job (the cohort's lab image, on an internal overlay made for the copy) fetches
it, checks its SHA-256 and unpacks it into the node's pack volume; the node then gets the pack's
label (sandlab.hub.swarm), which is what lets a learner's server go there. A copy that fails
leaves the node unlabelled: no learner ever mounts half a pack.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import tarfile
import time
from collections.abc import Callable

import docker
from docker.types import EndpointSpec, Mount, RestartPolicy, ServiceMode

from sandlab.hub.swarm import PackConstraint, label_node, local_node, node_name
from sandlab.images.names import HUB_IMAGE

PORT = 8080
FETCH_AND_UNPACK = """
import hashlib, io, os, shutil, sys, tarfile, urllib.request
data = urllib.request.urlopen(os.environ['PACK_URL'], timeout=300).read()
if hashlib.sha256(data).hexdigest() != os.environ['PACK_SHA256']:
    sys.exit('the pack arrived damaged (SHA-256 differs)')
for entry in os.scandir('/pack'):
    shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.unlink(entry.path)
tarfile.open(fileobj=io.BytesIO(data)).extractall('/pack')
"""


class PackCopyFailed(RuntimeError):
    pass


def nodes_without(engine: docker.DockerClient, volume: str) -> list:
    """Ready, active nodes other than this manager that do not hold ``volume`` yet."""
    here = local_node(engine).id
    label = PackConstraint(volume).label
    return [node for node in engine.nodes.list()
            if node.id != here and node.attrs["Status"].get("State") == "ready"
            and node.attrs["Spec"].get("Availability") == "active"
            and (node.attrs["Spec"].get("Labels") or {}).get(label) != "true"]


def _wrapped(archive: bytes) -> bytes:
    """``archive`` as the one file pack.tar of a tar, for put_archive."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("pack.tar")
        info.size, info.mode = len(archive), 0o444
        tar.addfile(info, io.BytesIO(archive))
    return buffer.getvalue()


def spread_pack(engine: docker.DockerClient, instance: str, image: str, volume: str, archive: bytes,
                labels: dict[str, str], say: Callable[[str], None] = lambda line: None,
                timeout: float = 600) -> list[str]:
    """Copy the pack (``archive``, its public/ as a tar) into ``volume`` on every node lacking it;
    the names of the nodes that got it."""
    targets = nodes_without(engine, volume)
    if not targets:
        return []
    digest = hashlib.sha256(archive).hexdigest()
    tag = secrets.token_hex(3)
    network = engine.networks.create(f"{instance}-packcopy-{tag}", driver="overlay", internal=True,
                                     attachable=True, labels={"sandlab.instance": instance})
    server = None
    copied = []
    try:
        server = engine.containers.create(HUB_IMAGE, ["python", "-m", "http.server", str(PORT), "--directory", "/srv"],
                                          network=network.name, user="1000:1000", cap_drop=["ALL"],
                                          security_opt=["no-new-privileges"], labels={"sandlab.instance": instance})
        server.put_archive("/srv", _wrapped(archive))
        server.start()
        server.reload()
        address = server.attrs["NetworkSettings"]["Networks"][network.name]["IPAddress"]
        for node in targets:
            say(f"copying the pack to node {node_name(node.attrs)}")
            _copy_to(engine, node, instance, image, volume, labels, network.name,
                     {"PACK_URL": f"http://{address}:{PORT}/pack.tar", "PACK_SHA256": digest}, timeout)
            label_node(node, PackConstraint(volume).label)
            copied.append(node_name(node.attrs))
    finally:
        if server is not None:
            server.remove(force=True)
        network.remove()
    return copied


def _copy_to(engine: docker.DockerClient, node, instance: str, image: str, volume: str, labels: dict[str, str],
             network: str, environment: dict[str, str], timeout: float) -> None:
    """One job on ``node``: fetch, check, unpack; wait for it to complete."""
    job = engine.services.create(
        image, ["python3", "-c", FETCH_AND_UNPACK], name=f"{instance}-packcopy-{node.id[:12]}",
        env=[f"{key}={value}" for key, value in environment.items()], user="0:0", cap_drop=["ALL"],
        mounts=[Mount(target="/pack", source=volume, type="volume", labels=labels)], networks=[network],
        mode=ServiceMode("replicated-job"), restart_policy=RestartPolicy(condition="none"),
        constraints=[f"node.id=={node.id}"], endpoint_spec=EndpointSpec(mode="dnsrr"),
        labels={"sandlab.instance": instance})
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = [task["Status"] for task in job.tasks()]
            if any(status["State"] == "complete" for status in states):
                return
            failed = [status for status in states if status["State"] in ("failed", "rejected", "orphaned")]
            if failed:
                said = b"".join(job.logs(stdout=True, stderr=True)).decode(errors="replace").strip()
                raise PackCopyFailed(f"copying the pack {volume} to node {node_name(node.attrs)} failed: "
                                     f"{failed[0].get('Err') or failed[0].get('Message')} "
                                     f"({(said.splitlines() or ['no output'])[-1]})")
            time.sleep(1)
        raise PackCopyFailed(f"copying the pack {volume} to node {node_name(node.attrs)} took longer than "
                             f"{timeout:.0f} s")
    finally:
        job.remove()
