"""A tiny in-memory stand-in for the Hugging Face Hub, for tests that must not touch the network.

It serves, on 127.0.0.1 and an ephemeral port, the part of the Hub HTTP API that the unmodified
`huggingface_hub` client uses to create a repo, upload a folder and download files (see
/work/shared/HUB.md): point `HF_ENDPOINT` at `HubServer.url` in the environment of the process
under test. Each commit stores a full snapshot of the repo's files under a 40-hex commit sha, so
files resolve by branch name or by commit sha.

`/api/validate-yaml` (what `RepoCard.validate` calls) checks a card's front matter against the
real Hub's rules that genzoo's cards meet or break (`card_problems`).

Files that the repo's `.gitattributes` sends to LFS (safetensors, parquet), binary files and files
over 10 MB go through the LFS batch API and its basic transfer (a PUT of the whole file); the rest
travel base64-encoded inside the commit, which refuses large or binary files, as the Hub does.

What it does NOT do: xet storage (clients run with HF_HUB_DISABLE_XET=1, and the real client then
falls back to LFS), authentication (it only records the Authorization headers it receives), pull
requests, private repos' access control. A test that uses it proves the client-side publish ->
download -> load path, not the real Hub's storage.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

REPO = r"(?P<repo>[^/]+/[^/]+)"
API_ROUTE = re.compile(
    rf"^/api/(?P<kind>models|datasets|spaces)/{REPO}"
    r"(?:/(?P<action>preupload|commit|revision|tree|paths-info)/(?P<rev>[^/]+)(?:/(?P<path>.*))?)?$"
)
RESOLVE_ROUTE = re.compile(
    rf"^/(?:(?P<kind>datasets|spaces)/)?{REPO}/resolve/(?P<rev>[^/]+)/(?P<path>.+)$"
)
KINDS = {"models": "model", "datasets": "dataset", "spaces": "space"}  # as routes name them
GITATTRIBUTES = b"".join(  # what the Hub's new repos send to LFS, in part
    b"*.%s filter=lfs diff=lfs merge=lfs -text\n" % ext for ext in (b"safetensors", b"parquet")
)
LFS_BATCH_ROUTE = re.compile(
    rf"^/(?:(?P<kind>datasets|spaces)/)?{REPO}\.git/info/lfs/objects/batch$"
)
LFS_UPLOAD_ROUTE = re.compile(r"^/lfs-upload/(?P<oid>[0-9a-f]{64})$")

# The Hub's rules for card metadata (huggingface.co/docs/hub: model cards, Spaces configuration).
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
SPACE_SDKS = {"gradio", "streamlit", "docker", "static"}
SPACE_COLOURS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}
SHORT_DESCRIPTION_MAX = 60
REGULAR_FILE_MAX = 10 * 1024 * 1024  # bytes: larger files, and binary ones, must go by LFS


def card_problems(repo_type: str, content: str) -> list[str]:
    """What the Hub would refuse in a card's front matter, in words; [] if nothing."""
    import yaml

    if not content.startswith("---\n"):
        return ["the card has no YAML front matter"]
    data = yaml.safe_load(content.split("---\n")[1]) or {}
    problems = []
    for name in data.get("models") or []:
        if not isinstance(name, str) or not HUB_ID.match(name):
            problems.append(f"models: {name!r} is not a model id")
    if repo_type == "space":
        if data.get("sdk") not in SPACE_SDKS:
            problems.append(f"sdk must be one of {sorted(SPACE_SDKS)}")
        for key in ("colorFrom", "colorTo"):
            if key in data and data[key] not in SPACE_COLOURS:
                problems.append(f"{key} must be one of {sorted(SPACE_COLOURS)}")
        if len(str(data.get("short_description", ""))) > SHORT_DESCRIPTION_MAX:
            problems.append(f"short_description must be at most {SHORT_DESCRIPTION_MAX} characters")
    for name in data.get("datasets") or []:
        if not isinstance(name, str) or not HUB_ID.match(name):
            problems.append(f"datasets: {name!r} is not a dataset id")
    for model in data.get("model-index") or []:
        for result in model.get("results") or []:
            dataset = (result.get("dataset") or {}).get("type")
            if not isinstance(dataset, str) or not HUB_ID.match(dataset):
                problems.append(f"model-index: dataset type {dataset!r} is not a dataset id")
            if not all(isinstance(m.get("value"), int | float) for m in result.get("metrics", [])):
                problems.append("model-index: every metric needs a numeric value")
    return problems


def repo_key(repo_type: str, repo_id: str) -> str:
    """How repos are stored: a model by its id, a dataset or Space with its kind in front, as
    in their URLs (`datasets/owner/name`)."""
    return repo_id if repo_type == "model" else f"{repo_type}s/{repo_id}"


def git_blob_sha(content: bytes) -> str:
    """The git object id of a file, which the Hub uses as a regular file's ETag and oid."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class HubError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code


class Repo:
    """Branches point to commits; each commit is a snapshot {path: bytes}."""

    def __init__(self) -> None:
        self.branches: dict[str, str] = {}
        self.commits: dict[str, dict[str, bytes]] = {}

    def commit(self, branch: str, files: dict[str, bytes], summary: str) -> str:
        parent = self.branches.get(branch, "")
        seed = json.dumps([parent, summary, len(self.commits), sorted(files)]).encode()
        sha = hashlib.sha1(seed).hexdigest()
        self.commits[sha] = dict(files)
        self.branches[branch] = sha
        return sha

    def resolve(self, rev: str) -> tuple[str, dict[str, bytes]]:
        sha = self.branches.get(rev, rev)
        if sha not in self.commits:
            raise HubError(404, "RevisionNotFound", f"Invalid rev id: {rev}")
        return sha, self.commits[sha]


class HubServer:
    """`with HubServer() as hub:` serves the fake Hub at `hub.url` until the block ends."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.lfs_objects: dict[str, bytes] = {}  # sha256 -> content, uploaded before a commit
        self.authorizations: list[str] = []  # every Authorization header received
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread: threading.Thread | None = None

    def start(self) -> HubServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread is not None:
            self.httpd.shutdown()
            self.thread.join()
            self.thread = None
        self.httpd.server_close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def head(self, repo_id: str, branch: str = "main", repo_type: str = "model") -> str:
        """The commit sha a branch points to."""
        return self.repos[repo_key(repo_type, repo_id)].branches[branch]

    def _repo(self, repo_id: str) -> Repo:
        if repo_id not in self.repos:
            raise HubError(404, "RepoNotFound", f"Repository not found: {repo_id}")
        return self.repos[repo_id]

    # Route handlers: each returns (status, JSON-able body).

    def create_repo(self, payload: dict) -> tuple[int, dict]:
        repo_id = f"{payload.get('organization') or 'user'}/{payload['name']}"
        key = repo_key(payload.get("type") or "model", repo_id)
        url = f"{self.url}/{key}"
        if key in self.repos:
            return 409, {"error": "You already created this repo", "url": url}
        self.repos[key] = Repo()
        self.repos[key].commit("main", {".gitattributes": GITATTRIBUTES}, "initial commit")
        return 200, {"url": url, "name": repo_id}

    def preupload(self, repo_id: str, rev: str, payload: dict) -> tuple[int, dict]:
        _, files = self._repo(repo_id).resolve(rev)
        lfs_patterns = [
            line.split()[0]
            for line in files.get(".gitattributes", b"").decode().splitlines()
            if "filter=lfs" in line
        ]
        answer = []
        for item in payload["files"]:
            old = files.get(item["path"])
            oid = git_blob_sha(old) if old is not None else None
            named = any(fnmatch.fnmatch(item["path"].rsplit("/")[-1], p) for p in lfs_patterns)
            binary = b"\0" in base64.b64decode(item.get("sample") or "")
            lfs = named or binary or item.get("size", 0) > REGULAR_FILE_MAX
            mode = "lfs" if lfs else "regular"
            answer.append(
                {"path": item["path"], "uploadMode": mode, "shouldIgnore": False, "oid": oid}
            )
        return 200, {"files": answer}

    def lfs_batch(self, payload: dict) -> tuple[int, dict]:
        """The LFS batch API, basic transfer: where to PUT each object not yet stored."""
        objects = []
        for item in payload["objects"]:
            answer = {"oid": item["oid"], "size": item["size"], "authenticated": True}
            if item["oid"] not in self.lfs_objects:
                href = f"{self.url}/lfs-upload/{item['oid']}"
                answer["actions"] = {"upload": {"href": href, "header": {}}}
            objects.append(answer)
        return 200, {"transfer": "basic", "objects": objects}

    def lfs_upload(self, oid: str, content: bytes) -> tuple[int, dict]:
        if hashlib.sha256(content).hexdigest() != oid:
            raise HubError(400, "BadRequest", "the uploaded content does not match its oid")
        self.lfs_objects[oid] = content
        return 200, {}

    def commit(self, repo_id: str, branch: str, ndjson: bytes) -> tuple[int, dict]:
        repo = self._repo(repo_id)
        _, files = repo.resolve(branch)
        files, summary = dict(files), ""
        for line in ndjson.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            key, value = item["key"], item["value"]
            if key == "header":
                summary = value.get("summary", "")
            elif key == "file":
                content = base64.b64decode(value["content"])
                if len(content) > REGULAR_FILE_MAX or b"\0" in content[:512]:
                    raise HubError(400, "BadRequest", f"{value['path']}: large and binary "
                                   "files must be uploaded through LFS")  # fmt: skip
                files[value["path"]] = content
            elif key == "lfsFile":  # uploaded beforehand through the LFS batch API
                if value["oid"] not in self.lfs_objects:
                    raise HubError(400, "BadRequest", f"LFS object of {value['path']} not uploaded")
                files[value["path"]] = self.lfs_objects[value["oid"]]
            elif key == "deletedFile":
                files.pop(value["path"], None)
            elif key == "deletedFolder":
                prefix = value["path"].rstrip("/") + "/"
                files = {p: c for p, c in files.items() if not p.startswith(prefix)}
            else:
                raise HubError(400, "BadRequest", f"{key!r} is not supported here")
        sha = repo.commit(branch, files, summary)
        url = f"{self.url}/{repo_id}/commit/{sha}"  # repo_id here is the repo's key
        return 200, {"success": True, "commitOid": sha, "commitUrl": url, "pullRequestUrl": None}

    def info(self, repo_id: str, rev: str) -> tuple[int, dict]:
        sha, files = self._repo(repo_id).resolve(rev)
        siblings = [{"rfilename": path} for path in sorted(files)]
        plain_id = repo_id.removeprefix("datasets/").removeprefix("spaces/")
        return 200, {"id": plain_id, "sha": sha, "private": False, "siblings": siblings}

    def tree(self, repo_id: str, rev: str, folder: str, recursive: bool) -> tuple[int, list]:
        _, files = self._repo(repo_id).resolve(rev)
        prefix = folder.strip("/") + "/" if folder.strip("/") else ""
        entries: dict[str, dict] = {}
        for path, content in sorted(files.items()):
            if not path.startswith(prefix):
                continue
            parts = path[len(prefix) :].split("/")
            for depth in range(1, len(parts)):  # the folders on the way to the file
                sub = prefix + "/".join(parts[:depth])
                entries.setdefault(sub, {"type": "directory", "path": sub, "oid": "0" * 40})
                if not recursive:
                    break
            if recursive or len(parts) == 1:
                size, oid = len(content), git_blob_sha(content)
                entries[path] = {"type": "file", "path": path, "size": size, "oid": oid}
        if prefix and not entries:
            raise HubError(404, "EntryNotFound", f"{folder} does not exist at {rev}")
        return 200, list(entries.values())

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                method, parts = self.command, urlsplit(self.path)
                path, query = parts.path, parts.query
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with hub.lock:
                    hub.requests.append((method, path))
                    if "Authorization" in self.headers:
                        hub.authorizations.append(self.headers["Authorization"])
                    try:
                        if method in ("GET", "HEAD"):
                            match = RESOLVE_ROUTE.match(path)
                            if match:
                                kind = KINDS.get(match["kind"] or "models")
                                repo = repo_key(kind, unquote(match["repo"]))
                                rev, file = unquote(match["rev"]), unquote(match["path"])
                                return self._send_file(method, repo, rev, file)
                        status, answer = self._route(method, path, query, body)
                    except HubError as error:
                        headers = {"X-Error-Code": error.code, "X-Error-Message": str(error)}
                        return self._send(error.status, {"error": str(error)}, headers)
                self._send(status, answer)

            def _route(self, method: str, path: str, query: str, body: bytes) -> tuple[int, object]:
                if method == "POST" and path == "/api/repos/create":
                    return hub.create_repo(json.loads(body))
                if method == "POST" and LFS_BATCH_ROUTE.match(path):
                    return hub.lfs_batch(json.loads(body))
                if method == "PUT" and LFS_UPLOAD_ROUTE.match(path):
                    return hub.lfs_upload(LFS_UPLOAD_ROUTE.match(path)["oid"], body)
                if method == "POST" and path == "/api/validate-yaml":
                    payload = json.loads(body)
                    problems = card_problems(payload.get("repoType") or "model", payload["content"])
                    if problems:
                        raise HubError(400, "BadRequest", "; ".join(problems))
                    return 200, {"errors": [], "warnings": []}
                match = API_ROUTE.match(path)
                if not match:
                    raise HubError(404, "NotFound", f"No route for {method} {path}")
                repo = repo_key(KINDS[match["kind"]], match["repo"])
                action, rev = match["action"], unquote(match["rev"] or "main")
                if method == "POST" and action == "preupload":
                    return hub.preupload(repo, rev, json.loads(body))
                if method == "POST" and action == "commit":
                    return hub.commit(repo, rev, body)
                if method == "GET" and action in (None, "revision"):
                    return hub.info(repo, rev)
                if method == "GET" and action == "tree":
                    folder = unquote(match["path"] or "")
                    return hub.tree(repo, rev, folder, "recursive=true" in query.lower())
                raise HubError(404, "NotFound", f"No route for {method} {path}")

            def _send_file(self, method: str, repo: str, rev: str, path: str) -> None:
                sha, files = hub._repo(repo).resolve(rev)
                if path not in files:
                    raise HubError(404, "EntryNotFound", f"{path} does not exist at {rev}")
                content = files[path]
                headers = {"X-Repo-Commit": sha, "ETag": f'"{git_blob_sha(content)}"'}
                self._send(200, content if method == "GET" else b"", headers, len(content))

            def _send(self, status, body, headers=None, length=None) -> None:
                if not isinstance(body, bytes):
                    body = json.dumps(body).encode()
                    headers = {"Content-Type": "application/json", **(headers or {})}
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                if self.command != "HEAD":  # a HEAD answer has headers only, errors included
                    self.wfile.write(body)

            do_HEAD = do_GET = do_POST = do_PUT = _serve

        return Handler
