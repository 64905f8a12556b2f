"""Each isolation promise of a learner's container, attacked from inside it.

Learner code is untrusted: these tests run it in a real kernel of a real container and
try to get out: to the network, the engine, root, the pack, another learner.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time

import pytest

from tests.platform.client import connection_probe

NARROW_SERVER_SCOPES = {"access:servers", "users:activity", "read:users:activity", "read:users:name",
                        "read:users:groups", "access:services"}
HUB_ENVIRONMENT = ("CONFIGPROXY_AUTH_TOKEN", "SANDLAB_DB_URL", "SANDLAB_INSTANCE", "SANDLAB_PUBLIC_URL",
                   "SANDLAB_AUTH", "OIDC_CLIENT_SECRET", "DOCKER_HOST")


def run(session, code: str, timeout: float = 90):
    return session.run(code, timeout)


def host_addresses() -> list[str]:
    """Every IPv4 address of this machine but loopback: docker0, the bridges, the LAN."""
    shown = json.loads(subprocess.run(["ip", "-j", "-4", "addr"], capture_output=True, text=True, check=True).stdout)
    return [entry["local"] for link in shown for entry in link.get("addr_info", [])
            if not entry["local"].startswith("127.")]


class Listener:
    """A TCP service of the test's own on this machine, outside the learners' network."""

    def __init__(self):
        self.socket = socket.create_server(("0.0.0.0", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                peer, address = self.socket.accept()
            except OSError:
                return
            self.accepted.append(address[0])
            peer.close()

    def wait_for(self, count: int, seconds: float = 5) -> int:
        deadline = time.monotonic() + seconds
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.accepted)

    def close(self):
        self.socket.close()


def test_no_egress_not_even_to_this_machine(platform):
    listener = Listener()
    targets = host_addresses()
    try:
        for address in targets:  # the listener answers from this machine: the probe can succeed
            socket.create_connection((address, listener.port), timeout=3).close()
        reachable_from_host = listener.wait_for(len(targets))
        found = run(platform.login("ana"), f"""
import json, os, socket
from urllib.parse import urlparse
results = {{}}
for address in {targets!r}:
    try:
        socket.create_connection((address, {listener.port}), timeout=3).close()
        results[address] = 'connected'
    except OSError as error:
        results[address] = type(error).__name__
names = {{}}
for name in ('pypi.org', 'deb.debian.org'):
    try:
        socket.getaddrinfo(name, 443)
        names[name] = 'resolved'
    except OSError as error:
        names[name] = type(error).__name__
hub = urlparse(os.environ['JUPYTERHUB_API_URL'])
socket.create_connection((hub.hostname, hub.port), timeout=3).close()
print(json.dumps({{'results': results, 'names': names, 'hub': 'reached'}}))
""")
    finally:
        listener.close()
    assert reachable_from_host == len(targets) > 0
    assert "connected" not in found["results"].values(), found
    assert "resolved" not in found["names"].values(), found
    assert found["hub"] == "reached"  # the network works: only the way out is closed
    assert len(listener.accepted) == reachable_from_host  # nothing came from the container


def test_no_docker_socket(platform):
    found = run(platform.login("ana"), """
import json, os, stat
sockets = []
for top in ('/var', '/run', '/tmp', '/home', '/opt', '/srv', '/mnt'):
    for folder, dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(folder, name)
            try:
                if stat.S_ISSOCK(os.lstat(path).st_mode) and 'docker' in name:
                    sockets.append(path)
            except OSError:
                pass
print(json.dumps({'sockets': sockets, 'env': [k for k in os.environ if 'DOCKER' in k]}))
""")
    assert found == {"sockets": [], "env": []}
    mounts = platform.container("ana").attrs["Mounts"]
    assert not any("docker.sock" in (mount.get("Source") or "") for mount in mounts)


def test_not_root_and_no_way_to_become_root(platform):
    found = run(platform.login("ana"), """
import json, os, subprocess
status = dict(line.split(':', 1) for line in open('/proc/self/status'))
attempts = {}
try:
    os.setuid(0)
    attempts['setuid'] = 'became root'
except PermissionError:
    attempts['setuid'] = 'refused'
for command in (['su', '-c', 'id -u', 'root'], ['sudo', '-n', 'id', '-u']):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
        attempts[command[0]] = 'root' if done.stdout.strip() == '0' else 'refused'
    except FileNotFoundError:
        attempts[command[0]] = 'absent'
setuid_programs = subprocess.run(['find', '/usr', '/bin', '/sbin', '-xdev', '-perm', '-4000', '-type', 'f'],
                                 capture_output=True, text=True).stdout.split()
for program in setuid_programs:  # with no-new-privileges a setuid bit gives nothing
    done = subprocess.run([program, '--help'], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
try:
    open('/etc/shadow').read()
    attempts['shadow'] = 'read'
except PermissionError:
    attempts['shadow'] = 'refused'
print(json.dumps({'uid': os.getuid(), 'euid': os.geteuid(), 'gid': os.getgid(),
                  'caps': {k: status[k].strip() for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb')},
                  'no_new_privs': status['NoNewPrivs'].strip(), 'attempts': attempts,
                  'setuid_programs': setuid_programs, 'uid_after': os.getuid()}))
""")
    assert (found["uid"], found["euid"], found["gid"], found["uid_after"]) == (1000, 1000, 1000, 1000)
    assert set(found["caps"].values()) == {"0000000000000000"}, found["caps"]
    assert found["no_new_privs"] == "1"
    assert found["attempts"]["setuid"] == "refused" and found["attempts"]["shadow"] == "refused"
    assert found["attempts"]["su"] in ("refused", "absent") and found["attempts"]["sudo"] in ("refused", "absent")
    config = platform.container("ana").attrs["HostConfig"]
    assert config["CapDrop"] == ["ALL"] and not config["Privileged"]
    if not platform.instance.swarm:  # a service cannot ask for it: the node's engine gives it (NoNewPrivs above)
        assert "no-new-privileges" in config["SecurityOpt"]


def test_the_pack_is_not_writable(platform):
    found = run(platform.login("ana"), """
import errno, json, os
from pathlib import Path
data = Path.home() / 'data'
attempts = {}
for name, action in {
    'create': lambda: (data / 'planted.txt').write_text('x'),
    'overwrite': lambda: (data / 'datacard.md').write_text('x'),
    'delete': lambda: (data / 'datacard.md').unlink(),
    'chmod': lambda: os.chmod(data / 'datacard.md', 0o666),
    'rename': lambda: (data / 'tables').rename(data / 'moved'),
}.items():
    try:
        action()
        attempts[name] = 'done'
    except OSError as error:
        attempts[name] = errno.errorcode[error.errno]
print(json.dumps(attempts))
""")
    assert set(found.values()) <= {"EROFS", "EACCES", "EPERM"}, found
    assert "done" not in found.values()


def test_a_learner_finds_no_lab_solution_and_no_answer(platform):
    """The labs' sources (solutions, hidden tests) are in the trainer image only, the pack's answers in a
    volume only trainers mount: searched for in the image and the mounts a learner reads, neither is found
    (the home is the learner's own: other tests put solutions there to submit them)."""
    found = run(platform.login("ana"), """
import json, os, re
markers = ('BEGIN SOLUTION', 'BEGIN HIDDEN TESTS')
lab_notebook = re.compile(r'^l[0-9]{2}-[a-z0-9-]+[.][a-z]{2}[.]ipynb$')  # a lab's, not nbgrader's own test files
sources, answers = [], []
home = os.path.expanduser('~')
for top in ('/opt', os.path.join(home, 'data'), '/srv', '/tmp', '/var', '/mnt', '/media', '/root', '/usr/local',
            '/usr/share'):
    for folder, dirs, files in os.walk(top, onerror=lambda error: None):
        if os.path.basename(folder) == 'answers':
            answers.append(folder)
        for name in files:
            if lab_notebook.match(name):
                try:
                    text = open(os.path.join(folder, name), encoding='utf-8', errors='replace').read()
                except OSError:
                    continue
                if any(marker in text for marker in markers):
                    sources.append(os.path.join(folder, name))
mounts = [line.split()[4] for line in open('/proc/self/mountinfo')]
print(json.dumps({'sources': sources, 'answers': answers + [os.path.join(home, 'answers')] * os.path.exists(
    os.path.join(home, 'answers')), 'mounts': mounts}))
""")
    assert found["sources"] == [] and found["answers"] == [], found
    assert not any("answers" in mount for mount in found["mounts"]), found["mounts"]
    mounted = [mount.get("Name", "") for mount in platform.container("ana").attrs["Mounts"]]
    assert not any("-answers-" in name for name in mounted), mounted


def test_the_learner_environment_holds_nothing_of_the_hub(platform):
    found = run(platform.login("ana"), """
import json, os, urllib.request
request = urllib.request.Request(os.environ['JUPYTERHUB_API_URL'] + '/user',
                                 headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})
me = json.load(urllib.request.urlopen(request, timeout=10))
print(json.dumps({'env': sorted(os.environ), 'scopes': sorted(me['scopes'])}))
""")
    assert not set(HUB_ENVIRONMENT) & set(found["env"])
    # The server token reports activity, lets its owner in and reaches the exchange, KPI and
    # assistant services; nothing reads or acts beyond ana.
    assert all(scope.endswith(("!user=ana", "!server=ana/", "!service=exchange", "!service=kpis",
                               "!service=assistant"))
               for scope in found["scopes"]), \
        found["scopes"]
    assert {scope.split("!")[0] for scope in found["scopes"]} <= NARROW_SERVER_SCOPES, found["scopes"]


def test_another_learners_server_answers_403(platform):
    ana, ben = platform.login("ana"), platform.login("ben")
    ben.start_server()
    assert ben.server("GET", "api/contents/").status_code == 200
    assert ana.server("GET", "api/contents/", user="ben").status_code == 403
    assert ana.visit("ben").status_code == 403
    ben_address = next(iter(platform.container("ben").attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    found = run(ana, f"""
import json, os, urllib.error, urllib.request
codes = {{}}
own = {{'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']}}
for label, headers in (('no token', {{}}), ('own token', own)):
    request = urllib.request.Request('http://{ben_address}:8888/user/ben/api/contents/', headers=headers)
    try:
        codes[label] = urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as error:
        codes[label] = error.code
print(json.dumps(codes))
""")
    assert found == {"no token": 403, "own token": 403}


def test_a_learner_of_another_cohort_cannot_reach_any_container_of_this_one(platform):
    """Two cohorts may be two client companies: each has its own internal network."""
    ana, zoe = platform.login("ana"), platform.login("zoe")
    ana.start_server()
    zoe.start_server()
    networks = {name: platform.container(name).attrs["NetworkSettings"]["Networks"] for name in ("ana", "zoe")}
    assert set(networks["ana"]) == {f"{platform.instance.name}-learners-alpha"}
    assert set(networks["zoe"]) == {f"{platform.instance.name}-learners-beta"}
    hub = platform.engine.containers.get(platform.instance.hub_container).attrs["NetworkSettings"]["Networks"]
    assert set(networks["ana"]) | set(networks["zoe"]) <= set(hub)  # the hub reaches both
    alpha, beta = (next(iter(networks[name].values()))["NetworkID"] for name in ("ana", "zoe"))
    hub_on = {network["NetworkID"]: network["IPAddress"] for network in hub.values()}
    blocked = [(network["IPAddress"], port) for network in networks["ana"].values() for port in (8888, 22, 80)]
    blocked.append((hub_on[alpha], 8081))  # even the hub, at its address on the other cohort's network
    control = (hub_on[beta], 8081)  # the hub on zoe's own network: the probe itself works
    found = run(zoe, connection_probe([*blocked, control]))
    assert found.pop(f"{control[0]}:{control[1]}") == "connected", found
    assert "connected" not in found.values(), found


def test_trainers_reach_their_cohort_only(platform):
    ana, zoe, tom = platform.login("ana"), platform.login("zoe"), platform.login("tom")
    ana.start_server()
    zoe.start_server()
    # Trainers open learners' servers in a browser (the hub's OAuth resolves their group).
    assert tom.visit("ana").status_code == 200
    assert tom.visit("zoe").status_code == 403
    assert tom.api.get("/users/zoe").status_code == 404  # not even visible
    assert ana.api.get("/users").status_code == 403
    assert {user["name"] for user in tom.api.get("/users").json()} == set(platform.cohorts["alpha"].named("learner"))


def test_another_learners_files_are_unreachable(platform):
    ben = platform.login("ben")
    secret = "ben-secret-8d1f.txt"
    run(ben, f"from pathlib import Path; import json; (Path.home() / 'work' / {secret!r}).write_text('mine'); "
             "print(json.dumps('ok'))")
    found = run(platform.login("ana"), f"""
import json, os
hits = []
for folder, dirs, files in os.walk('/'):
    dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ('/proc', '/sys', '/dev')]
    hits += [os.path.join(folder, name) for name in files if name == {secret!r}]
mounts = [line.split()[4] for line in open('/proc/self/mountinfo')]
print(json.dumps({{'hits': hits, 'work_mounts': [m for m in mounts if m.startswith('/home')]}}))
""", timeout=180)
    assert found["hits"] == []
    assert sorted(found["work_mounts"]) == ["/home/learner", "/home/learner/data"]
    assert platform.login("ana").server("GET", "api/contents/../../ben").status_code in (400, 404)


def test_learners_cannot_choose_their_image(platform):
    ben = platform.login("ben")
    ben.stop_server()
    answer = ben.api.post("/users/ben/server", json={"image": "sandlab-hub:latest", "mem_limit": "64G"})
    assert answer.status_code in (201, 202), answer.text
    ben.start_server()
    assert platform.container("ben").attrs["HostConfig"]["Memory"] == platform.cohorts["alpha"].limits.memory_bytes
    assert platform.container("ben").attrs["Config"]["Image"] == platform.cohorts["alpha"].image


@pytest.mark.parametrize("attack", ["fork bomb", "memory hog"])
def test_runaway_code_is_contained_without_hurting_another_learner(platform, attack):
    ana, ben = platform.login("ana"), platform.login("ben")
    ana.start_server()
    ben.start_server()
    neighbour = ben.kernel()
    attacker = ana.kernel()
    try:
        if attack == "fork bomb":
            launched = attacker.execute(
                "import json, subprocess\n"
                "bomb = subprocess.Popen(['bash', '-c', 'b(){ b | b & }; b'], start_new_session=True)\n"
                "print(json.dumps('launched'))")
            assert launched.error is None, launched.error
            answers = [neighbour.execute(f"print({n} * 2)", timeout=60).stdout.strip() for n in range(5)]
            pids = platform.container("ana").stats(stream=False)["pids_stats"].get("current", 0)
            assert pids <= platform.cohorts["alpha"].limits.pids
        else:
            hog = attacker.execute(
                "import json, subprocess, sys\n"
                "hog = 'chunks = [b\"x\" * 64 * 1024 ** 2 for _ in range(32)]'  # 2 GiB, touched, 64 MiB at a time\n"
                "done = subprocess.run([sys.executable, '-c', hog])\n"
                "print(json.dumps(done.returncode))", timeout=120)
            assert hog.error is None, hog.error
            assert hog.json() == -9  # killed by the container's memory limit, the kernel lives on
            answers = [neighbour.execute(f"print({n} * 2)", timeout=60).stdout.strip() for n in range(5)]
        assert answers == [str(n * 2) for n in range(5)]
    finally:
        attacker.close()
        neighbour.close()
        ana.stop_server()


def test_another_learners_kernel_ports_are_closed(platform):
    ben = platform.login("ben")
    ben.start_server()
    kernel = ben.kernel()
    try:
        shown = platform.container("ben").exec_run(
            ["sh", "-c", "cat /home/learner/.local/share/jupyter/runtime/kernel-*.json"], user="1000")
        connection = json.loads(shown.output.decode().split("}{")[0].rstrip("}") + "}")
        ports = [connection[key] for key in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
        ben_address = next(iter(platform.container("ben").attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
        found = run(platform.login("ana"), connection_probe([(ben_address, port) for port in ports]))
    finally:
        kernel.close()
    assert connection["ip"] == "127.0.0.1"
    assert "connected" not in found.values(), found
