"""A real client of the platform: the hub's login form and REST API, a learner server's
REST API, and code run in a kernel over its websocket, as a browser or a script would."""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
import websocket

_system_getaddrinfo = socket.getaddrinfo


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resolve_localhost_subdomains() -> None:
    """Resolve <user>.localhost to loopback in this process, as browsers do (RFC 6761)."""

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return _system_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


class LoginFailed(AssertionError):
    pass


@dataclass
class Execution:
    stdout: str = ""
    stderr: str = ""
    result: str = ""
    error: str | None = None
    outputs: list[dict] = field(default_factory=list)

    def json(self):
        """The last line of stdout as JSON (tests print one JSON line of findings)."""
        return json.loads(self.stdout.strip().splitlines()[-1])


class Kernel:
    def __init__(self, session: Session, kernel_id: str):
        self.session, self.id = session, kernel_id
        url = f"{session.server_url}api/kernels/{kernel_id}/channels".replace("http://", "ws://")
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {session.token}"], timeout=30)

    def execute(self, code: str, timeout: float = 60) -> Execution:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.session.name, "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        done = Execution()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            done.outputs.append(message)
            if kind == "stream":
                if content["name"] == "stdout":
                    done.stdout += content["text"]
                else:
                    done.stderr += content["text"]
            elif kind == "execute_result":
                done.result = content["data"].get("text/plain", "")
            elif kind == "error":
                done.error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                return done
        raise TimeoutError(f"no answer from the kernel within {timeout} s (stdout so far: {done.stdout[-300:]!r})")

    def close(self) -> None:
        self.ws.close()


class Session:
    """A logged-in user: cookies from the login form, and an API token made with them."""

    def __init__(self, hub: Hub, name: str, browser: Browser, token: str):
        self.hub, self.name, self.browser, self.token = hub, name, browser, token
        self.api = httpx.Client(base_url=f"{hub.url}/hub/api", headers={"Authorization": f"token {token}"},
                                timeout=30)

    @property
    def server_url(self) -> str:
        return self.server_url_of(self.name)

    def server_url_of(self, user: str) -> str:
        return f"http://{user}.localhost:{self.hub.port}/user/{user}/"

    def start_server(self, user: str | None = None, timeout: float = 150) -> dict:
        user = user or self.name
        response = self.api.post(f"/users/{user}/server")
        assert response.status_code in (201, 202, 400), response.text  # 400: already running
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api.get(f"/users/{user}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return server
            if not model.get("pending") and not server:
                progress = self.api.get(f"/users/{user}/server/progress", timeout=5)
                raise AssertionError(f"server of {user} stopped while starting: {progress.text[-500:]}")
            time.sleep(0.5)
        raise TimeoutError(f"server of {user} not ready after {timeout} s")

    def stop_server(self, user: str | None = None, timeout: float = 60) -> None:
        user = user or self.name
        self.api.delete(f"/users/{user}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api.get(f"/users/{user}").json()
            if not model.get("servers") and not model.get("pending"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"server of {user} still running after {timeout} s")

    def server(self, method: str, path: str, user: str | None = None, **kwargs) -> httpx.Response:
        url = self.server_url_of(user or self.name) + path
        return httpx.request(method, url, headers={"Authorization": f"token {self.token}"}, timeout=30, **kwargs)

    def visit(self, user: str, path: str = "api/contents/") -> httpx.Response:
        """Open another user's server as a browser does: the page first (the hub's OAuth and
        its redirects give the server's cookie), then ``path`` with that cookie."""
        page = self.browser.request("GET", self.server_url_of(user) + "lab")
        if page.status_code == 200 and "/oauth2/authorize" in str(page.url):  # "Authorize access?"
            fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
            page = self.browser.request("POST", str(page.url), content=urlencode(fields),
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        if page.status_code != 200:
            return page
        return self.browser.request("GET", self.server_url_of(user) + path)

    def kernel(self) -> Kernel:
        response = self.server("POST", "api/kernels", json={"name": "python3"})
        assert response.status_code == 201, response.text
        return Kernel(self, response.json()["id"])

    def in_terminal(self, command: str, timeout: float = 120) -> tuple[int, str]:
        """Run ``command`` in a new JupyterLab terminal of this user's server (the shell a person gets),
        over its websocket; its exit status and what the terminal showed."""
        self.start_server()
        response = self.server("POST", "api/terminals")
        assert response.status_code == 200, response.text
        name = response.json()["name"]
        url = f"{self.server_url}terminals/websocket/{name}".replace("http://", "ws://")
        ws = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=30)
        marker = uuid.uuid4().hex
        shown = ""
        try:
            ws.send(json.dumps(["stdin", f"{command}; echo {marker}=$?\r"]))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                ws.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    kind, *content = json.loads(ws.recv())
                except websocket.WebSocketTimeoutException:
                    break
                if kind == "stdout":
                    shown += content[0]
                    found = re.search(rf"{marker}=(\d+)", shown)
                    if found:
                        return int(found.group(1)), shown[:found.start()]
        finally:
            ws.close()
            self.server("DELETE", f"api/terminals/{name}")
        raise TimeoutError(f"the terminal did not finish within {timeout} s: {shown[-500:]!r}")

    def run(self, code: str, timeout: float = 90):
        """Run ``code`` in a new kernel of this user's server; the JSON line it printed."""
        self.start_server()
        kernel = self.kernel()
        try:
            done = kernel.execute(code, timeout=timeout)
        finally:
            kernel.close()
        assert done.error is None, done.error
        return done.json()


class Hub:
    def __init__(self, port: int):
        self.port = port
        self.url = f"http://localhost:{port}"

    def login(self, name: str, password: str) -> Session:
        return self.submit_login(self.login_page(), name, password)

    def login_page(self) -> Browser:
        """A browser with the login page open (its form's _xsrf cookie set)."""
        browser = Browser()
        browser.request("GET", f"{self.url}/hub/login")
        return browser

    def submit_login(self, browser: Browser, name: str, password: str) -> Session:
        """Post the login form, then make an API token as the spawn page's scripts would use."""
        answer = browser.request("POST", f"{self.url}/hub/login", follow=False,
                                 data={"username": name, "password": password, "_xsrf": browser.cookie("_xsrf")})
        if answer.status_code != 302:
            raise LoginFailed(f"login of {name} answered {answer.status_code}")
        made = browser.request("POST", f"{self.url}/hub/api/users/{name}/tokens",
                               json={"note": "tests", "expires_in": 3600},
                               headers={"X-XSRFToken": browser.cookie("_xsrf")})
        assert made.status_code == 201, made.text
        return Session(self, name, browser, made.json()["token"])


class Browser:
    """Cookies and redirects as a browser handles them across the hub's host and the users'
    subdomains (Python's cookie jar mishandles ``Domain=localhost``, which JupyterHub sets)."""

    def __init__(self):
        self.jar: dict[tuple[str, str], tuple[str, bool]] = {}  # (domain, name) -> (value, subdomains too)

    def cookie(self, name: str) -> str:
        return next(value for (_, key), (value, _) in self.jar.items() if key == name)

    def _header(self, host: str) -> str:
        return "; ".join(f"{name}={value}" for (domain, name), (value, wide) in self.jar.items()
                         if host == domain or (wide and host.endswith("." + domain)))

    def _store(self, host: str, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            pair, *attributes = [part.strip() for part in header.split(";")]
            name, _, value = pair.partition("=")
            domain = next((a.split("=", 1)[1].lstrip(".") for a in attributes if a.lower().startswith("domain=")), None)
            self.jar[(domain or host, name)] = (value, domain is not None)

    def request(self, method: str, url: str, *, follow: bool = True, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        for _ in range(12):
            host = httpx.URL(url).host
            response = httpx.request(method, url, headers={**headers, "Cookie": self._header(host)}, timeout=30,
                                     **kwargs)
            self._store(host, response)
            if not (follow and response.is_redirect):
                return response
            url = str(httpx.URL(url).join(response.headers["location"]))
            method, kwargs, headers = "GET", {}, {}
        raise AssertionError(f"too many redirects, last {url}")


def connection_probe(targets: list[tuple[str, int]]) -> str:
    """Kernel code that tries each (host, port) and prints {"host:port": "connected" | error name} as JSON."""
    return f"""
import json, socket
found = {{}}
for host, port in {targets!r}:
    try:
        socket.create_connection((host, port), timeout=3).close()
        found[f'{{host}}:{{port}}'] = 'connected'
    except OSError as error:
        found[f'{{host}}:{{port}}'] = type(error).__name__
print(json.dumps(found))
"""
