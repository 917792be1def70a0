"""A local stand-in for the parts of GitHub's and GitLab's REST APIs the CI programs use.

One stdlib HTTP server in a thread serves both, as the documentation describes them:

GitHub (under /):
    GET   /repos/O/R/issues/N/comments     listing, Link: <...>; rel="next"
    POST  /repos/O/R/issues/N/comments     create
    PATCH /repos/O/R/issues/comments/ID    update
    GET   /repos/O/R/commits/SHA/pulls     the pull requests of a commit
    GET   /repos/O/R/issues                issues (and pull requests), filter creator
    POST  /repos/O/R/issues, PATCH /repos/O/R/issues/N
GitLab (under /api/v4):
    GET   /user
    GET   /projects/P/merge_requests/IID/notes   listing, X-Next-Page (and Link unless told not to)
    POST  /projects/P/merge_requests/IID/notes, PUT .../notes/ID
    GET   /projects/P/repository/commits/SHA/merge_requests
    GET   /projects/P/issues (author_id), POST, PUT /projects/P/issues/IID

Pages are `page_size` long whatever per_page asks, so that short listings have pages.
`fail` maps (method, path prefix) to (status, message) for error replies; every
request is recorded in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GITHUB_TOKEN = "ghs_standin_token_0123456789"
GITLAB_TOKEN = "glpat-standin-token-0123456789"
BOT = "github-actions[bot]"
GITLAB_BOT_ID = 77


@dataclass
class ForgeState:
    page_size: int = 2
    gitlab_link_header: bool = True
    next_link_host: str | None = None  # send next links to this host instead (a hostile server)
    # GitHub: issue number -> comments; GitLab: MR iid -> notes
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    pulls_of_commit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    mrs_of_commit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)  # GitHub issues
    gitlab_issues: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def github_comment(self, number: int, body: str, login: str = BOT) -> dict[str, Any]:
        comment = {"id": self.new_id(), "body": body, "user": {"login": login},
                   "html_url": f"https://github.example/o/r/pull/{number}#issuecomment-{self.next_id}"}
        self.comments.setdefault(number, []).append(comment)
        return comment

    def gitlab_note(self, iid: int, body: str, author: int = GITLAB_BOT_ID, system: bool = False) -> dict[str, Any]:
        note = {"id": self.new_id(), "body": body, "author": {"id": author}, "system": system}
        self.notes.setdefault(iid, []).append(note)
        return note


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.server.lock:
            state.requests.append((method, self.path))
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length)) if length else {}
        for (fail_method, prefix), (status, message) in state.fail.items():
            if fail_method == method and path.startswith(prefix):
                return self._send(status, {"message": message})
        gitlab = path.startswith("/api/v4/")
        if gitlab and self.headers.get("PRIVATE-TOKEN") != GITLAB_TOKEN:
            return self._send(401, {"message": "401 Unauthorized"})
        if not gitlab and self.headers.get("Authorization") != f"Bearer {GITHUB_TOKEN}":
            return self._send(401, {"message": "Bad credentials"})
        with self.server.lock:
            routed = (self._gitlab if gitlab else self._github)(method, path, query, payload)
        if routed is None:
            return self._send(404, {"message": "Not Found"})
        status, body, headers = routed
        self._send(status, body, headers)

    # --- GitHub ----------------------------------------------------------------------------
    def _github(self, method: str, path: str, query: dict[str, str], payload: Any) -> Any:
        state = self.server.state
        if m := re.fullmatch(r"/repos/o/r/issues/(\d+)/comments", path):
            number = int(m.group(1))
            if method == "GET":
                return self._page(state.comments.get(number, []), path, query, gitlab=False)
            if method == "POST":
                return 201, state.github_comment(number, payload["body"]), {}
        if (m := re.fullmatch(r"/repos/o/r/issues/comments/(\d+)", path)) and method == "PATCH":
            for comments in state.comments.values():
                for comment in comments:
                    if comment["id"] == int(m.group(1)):
                        if comment["user"]["login"] != BOT:
                            return 403, {"message": "Resource not accessible by integration"}, {}
                        comment["body"] = payload["body"]
                        return 200, comment, {}
            return None
        if (m := re.fullmatch(r"/repos/o/r/commits/([0-9a-f]+)/pulls", path)) and method == "GET":
            return self._page(state.pulls_of_commit.get(m.group(1), []), path, query, gitlab=False)
        if path == "/repos/o/r/issues":
            if method == "GET":
                found = [i for i in state.issues if query.get("creator") in (None, i["user"]["login"])]
                return self._page(found, path, query, gitlab=False)
            if method == "POST":
                issue = {"number": len(state.issues) + 1, "title": payload["title"], "body": payload["body"],
                         "state": "open", "user": {"login": BOT}, "html_url": "https://github.example/o/r/issues/1"}
                state.issues.append(issue)
                return 201, issue, {}
        if (m := re.fullmatch(r"/repos/o/r/issues/(\d+)", path)) and method == "PATCH":
            issue = next((i for i in state.issues if i["number"] == int(m.group(1))), None)
            if issue is None:
                return None
            issue.update({k: v for k, v in payload.items() if k in ("body", "state", "title")})
            return 200, issue, {}
        return None

    # --- GitLab ----------------------------------------------------------------------------
    def _gitlab(self, method: str, path: str, query: dict[str, str], payload: Any) -> Any:
        state = self.server.state
        path = path[len("/api/v4"):]
        if path == "/user" and method == "GET":
            return 200, {"id": GITLAB_BOT_ID, "username": "project_1_bot"}, {}
        if m := re.fullmatch(r"/projects/42/merge_requests/(\d+)/notes", path):
            iid = int(m.group(1))
            if method == "GET":
                return self._page(state.notes.get(iid, []), "/api/v4" + path, query, gitlab=True)
            if method == "POST":
                return 201, state.gitlab_note(iid, payload["body"]), {}
        if (m := re.fullmatch(r"/projects/42/merge_requests/(\d+)/notes/(\d+)", path)) and method == "PUT":
            for note in state.notes.get(int(m.group(1)), []):
                if note["id"] == int(m.group(2)):
                    if note["author"]["id"] != GITLAB_BOT_ID:
                        return 403, {"message": "403 Forbidden"}, {}
                    note["body"] = payload["body"]
                    return 200, note, {}
            return None
        if (m := re.fullmatch(r"/projects/42/repository/commits/([0-9a-f]+)/merge_requests", path)) and method == "GET":
            return self._page(state.mrs_of_commit.get(m.group(1), []), "/api/v4" + path, query, gitlab=True)
        if path == "/projects/42/issues":
            if method == "GET":
                found = [i for i in state.gitlab_issues if str(i["author"]["id"]) == query.get("author_id")]
                return self._page(found, "/api/v4" + path, query, gitlab=True)
            if method == "POST":
                issue = {"iid": len(state.gitlab_issues) + 1, "title": payload["title"],
                         "description": payload["description"], "state": "opened", "author": {"id": GITLAB_BOT_ID},
                         "web_url": "https://gitlab.example/g/p/-/issues/1"}
                state.gitlab_issues.append(issue)
                return 201, issue, {}
        if (m := re.fullmatch(r"/projects/42/issues/(\d+)", path)) and method == "PUT":
            issue = next((i for i in state.gitlab_issues if i["iid"] == int(m.group(1))), None)
            if issue is None:
                return None
            if "description" in payload:
                issue["description"] = payload["description"]
            event = payload.get("state_event")
            if event:
                issue["state"] = "closed" if event == "close" else "opened"
            return 200, issue, {}
        return None

    def _page(self, items: list[dict[str, Any]], path: str, query: dict[str, str], *, gitlab: bool) -> Any:
        state = self.server.state
        page = int(query.get("page", "1"))
        size = state.page_size
        chunk = items[(page - 1) * size: page * size]
        headers: dict[str, str] = {}
        if page * size < len(items):
            rest = "&".join(f"{k}={v}" for k, v in query.items() if k != "page")
            host = state.next_link_host or f"127.0.0.1:{self.server.server_address[1]}"
            url = f"http://{host}{path}?{rest}&page={page + 1}"
            if gitlab:
                headers["X-Next-Page"] = str(page + 1)
            if not gitlab or state.gitlab_link_header:
                headers["Link"] = f'<{url}>; rel="next"'
        elif gitlab:
            headers["X-Next-Page"] = ""
        return 200, chunk, headers

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = ForgeState()
        self.lock = threading.Lock()


class ForgeStandIn:
    """The server, started; `reset()` gives a fresh state between tests."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def state(self) -> ForgeState:
        return self._server.state

    def reset(self) -> ForgeState:
        self._server.state = ForgeState()
        return self._server.state

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
