"""``mt-audit serve``: the editor's page and a JSON API over one ``Auditor``.

The page (``GET /``) takes pasted or uploaded German (and optionally the English source),
audits it and shows the HTML report's body in place; the text stays editable and a re-check
back-translates only what changed (the translation cache).  A finding is accepted with one
click: into the baseline file given with ``--ignore``, or, without one, into a list the
page keeps and offers as a baseline file to download.

The API (``POST /api/check``, ``GET /api/health``, described at ``/openapi.json``) returns
the ``mt-audit/1`` JSON report or the HTML report.  Errors are JSON, ``{"error": "one
sentence"}``, with a fitting status (411, 413, 422, 503).

Safety: the server binds to localhost unless told otherwise and answers only requests whose
``Host`` is one it is reached by (localhost, an IP address, or a name given with
``--allowed-host``), so a foreign page cannot reach it through DNS rebinding; a request body
is refused past the size limit (and without a Content-Length); no value of a request names a
file: uploads are decoded in memory and the only file written is the configured baseline; state-changing
page requests carry the page's token and, where the browser sends one, a same-host Origin;
every page is served with a Content-Security-Policy that allows scripts from the server only.
Audits run one at a time on one worker thread (the model and the cache are not shared
between threads); an audit whose client has gone (the API request closed, the page no longer
asking for its job) is dropped at its next stage or batch, and none runs past the time limit
(``--max-audit-seconds``); baseline writes are locked and atomic.
"""
# No ``from __future__ import annotations`` here: FastAPI reads the request models of the
# routes, defined inside create_app, from the live annotations.
import asyncio
import hmac
import ipaddress
import itertools
import json
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

from .. import __version__
from ..errors import AuditError, ConfigError, ModelUnavailable
from ..baseline import Baseline, baseline_text, entry_id, load_baseline_entries, story_id
from ..pipeline import AuditSettings, Auditor

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# Finished page audits kept for the page to fetch (the oldest are dropped first).
KEPT_JOBS = 32
# Sentences back-translated between two progress updates of a page audit.
PROGRESS_BATCH = 16
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# The standalone HTML report carries its style and script inline (one file); served, it is a download.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
STATIC = {"report.css": "text/css", "report.js": "text/javascript", "page.css": "text/css",
          "page.js": "text/javascript"}
TOKEN_HEADER = "x-mt-audit-token"
# Host names a local server answers to whatever it is bound to (IP addresses are always
# answered: DNS rebinding needs a name).
LOCAL_HOSTS = frozenset({"localhost", "localhost.", "127.0.0.1", "::1"})
DEFAULT_MAX_AUDIT_SECONDS = 600.0
# A page job nobody has asked about for this long is dropped (the page polls several times a second).
ABANDONED_JOB_SECONDS = 30.0


class Abandoned(Exception):
    """An audit stopped because its client has gone or it ran past the time limit."""

    def __init__(self, timed_out: bool, limit: float):
        self.timed_out = timed_out
        super().__init__(f"The audit took longer than the limit of {limit:g} seconds; audit a shorter text or "
                         f"start the server with a larger --max-audit-seconds." if timed_out
                         else "The client of this audit has gone.")


@dataclass
class Deadline:
    """When an audit is to stop: a time limit, and a test of whether its client has gone."""
    limit: float
    gone: Any = None  # () -> bool
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if time.monotonic() - self.started > self.limit:
            raise Abandoned(True, self.limit)
        if self.gone is not None and self.gone():
            raise Abandoned(False, self.limit)


@dataclass
class Job:
    """One audit asked for by the page: its progress, then its result or error."""
    id: str
    state: str = "queued"          # queued, running, done, error
    stage: str = "waiting for the audit before it"
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    status: int = 200
    seen: float = field(default_factory=time.monotonic)  # the page's last question about it


@dataclass
class CheckInput:
    german: str
    source: str | None = None
    name: str = "article.de.txt"
    source_name: str = "source.en.txt"
    input_format: str | None = None
    accepted: tuple = ()  # keys (accepted everywhere) and entries with a scope
    warnings: tuple[list[str], list[str]] = ([], [])  # about the German, about the source
    offset_unit: str = "code_point"  # of the report's findings[].location


def check_input(german: str, source: str | None, name: str, source_name: str, input_format: str,
                accepted: list, offset_unit: str = "code_point") -> CheckInput:
    """What a request asks to audit, its texts checked as files are (not binary, mojibake
    repaired, with warnings) and its names made safe labels."""
    from ..text.ingest import check_text

    german, _, german_warnings = check_text(german, "German text", "German text")
    source_warnings: list[str] = []
    if source is not None and source.strip():
        source, _, source_warnings = check_text(source, "source text", "source")
    else:
        source = None
    return CheckInput(german, source, _safe_name(name, "article.de.txt"), _safe_name(source_name, "source.en.txt"),
                      input_format, tuple(accepted), (german_warnings, source_warnings), offset_unit)


@dataclass
class Service:
    """The auditor, its single worker, the page's jobs and the baseline."""
    settings: AuditSettings
    baseline: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    allowed_hosts: frozenset[str] = frozenset()  # beyond LOCAL_HOSTS and IP addresses
    max_audit_seconds: float = DEFAULT_MAX_AUDIT_SECONDS
    cors_origins: tuple[str, ...] = ()  # origins whose pages may call the API (none by default)

    def __post_init__(self):
        self.allowed_hosts = frozenset(h.lower().strip("[]") for h in self.allowed_hosts) | LOCAL_HOSTS
        self.abandoned = 0  # audits dropped because their client went or they ran too long
        self.entries: dict[str, dict] = {}
        if self.baseline is not None:
            if self.baseline.is_dir():
                raise ConfigError(f"The accepted-findings path {self.baseline} is a directory; give a file.")
            if self.baseline.exists():
                self.entries = load_baseline_entries(self.baseline)
                self._seen = self._stamp()
            elif not self.baseline.parent.is_dir():
                raise ConfigError(f"The folder of the accepted-findings file {self.baseline} does not exist.")
        self.auditor = Auditor(self.settings)
        # the baseline is applied here (it may not exist yet); the report names it
        self.auditor.settings.ignore_path = str(self.baseline) if self.baseline else None
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mt-audit")
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        if self.settings.require_model:
            self.auditor.open_model()  # here, so that a missing model ends the start (exit 3)
        else:
            self.worker.submit(self.auditor.open_model)  # before the first audit, not with it

    def model_state(self) -> tuple[str, str | None]:
        """What the server audits with now: "off" (no back-translation asked for), "loading",
        "loaded" or "unavailable", and the reason when it is unavailable."""
        auditor = self.auditor
        if self.settings.backend == "none":
            return "off", None
        if auditor.translator is not None:
            return "loaded", None
        if auditor.skipped_reason is not None:
            return "unavailable", auditor.skipped_reason
        return "loading", None

    def host_allowed(self, host: str | None) -> bool:
        """Whether a request's Host header names this server: a local name, an IP address or
        an --allowed-host name, with any port."""
        if not host:
            return False
        try:
            name = urlsplit(f"//{host}").hostname or ""
        except ValueError:
            return False
        if name in self.allowed_hosts:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    # --- auditing (on the worker thread) -----------------------------------------------

    def audit(self, request: CheckInput, job: Job | None = None, deadline: Deadline | None = None):
        """Audit one text: (document, passed).  ``deadline`` is checked before each stage and
        each translation batch; past it the audit raises ``Abandoned``."""
        auditor = self.auditor
        deadline = deadline or Deadline(self.max_audit_seconds)

        def stage(text: str) -> None:
            try:
                deadline.check()
            except Abandoned:
                with self.lock:
                    self.abandoned += 1
                raise
            if job is not None:
                job.stage = text

        stage("reading and segmenting")
        doc = auditor.load_text(request.german, request.name, request.source, request.source_name,
                                request.input_format, request.warnings)

        def batches(texts, translate):
            if job is not None:
                job.total = len(texts)
            out = []
            for start in range(0, len(texts), PROGRESS_BATCH):
                stage("back-translating")
                out.extend(translate(texts[start:start + PROGRESS_BATCH]))
                if job is not None:
                    job.done = min(len(texts), start + PROGRESS_BATCH)
            return out

        stage("back-translating")
        auditor.translate([doc], map_batches=batches)
        stage("aligning and scoring")
        with self.lock:
            entries = list(self._current().values())
        story = story_id(doc)
        for entry in request.accepted:  # an entry without its story is one of this text
            entries.append(entry if isinstance(entry, str) else {**entry, "story": entry.get("story") or story})
        auditor.finish(doc, accepted=Baseline(entries))
        return doc, auditor.passed(doc)

    def page_result(self, request: CheckInput, job: Job) -> dict[str, Any]:
        from ..report import html, json_report

        gone = lambda: time.monotonic() - job.seen > ABANDONED_JOB_SECONDS  # noqa: E731
        doc, passed = self.audit(request, job, Deadline(self.max_audit_seconds, gone))
        record = self.auditor.settings_record(doc)
        info = doc.translation
        return {
            "fragment": html.render(doc, record, passed, interactive=True, fragment=True),
            "html": html.render(doc, record, passed),
            "report": json_report.to_dict(doc, record, passed, request.offset_unit),
            "passed": passed,
            "translated": info.translated,
            "from_cache": info.from_cache,
            "skipped": info.skipped_reason if info.skipped else None,
            "name": doc.name,
        }

    def run_job(self, request: CheckInput, job: Job) -> None:
        job.state = "running"
        try:
            job.result = self.page_result(request, job)
            job.state, job.stage = "done", "done"
        except (ModelUnavailable, Abandoned) as err:
            job.state, job.error, job.status = "error", (err.served_message() if isinstance(err, AuditError)
                                                         else str(err)), 503
        except AuditError as err:
            job.state, job.error, job.status = "error", err.served_message(), 422
        except Exception as err:  # a bug: one sentence for the page, not a hung progress bar
            job.state, job.error, job.status = "error", f"Internal error ({type(err).__name__}: {err}).", 500

    def submit(self, request: CheckInput) -> Job:
        job = Job(id=f"{next(self._ids)}-{secrets.token_hex(8)}")
        with self.lock:
            self.jobs[job.id] = job
            while len(self.jobs) > KEPT_JOBS:
                self.jobs.popitem(last=False)
        self.worker.submit(self.run_job, request, job)
        return job

    # --- the baseline ---------------------------------------------------------------------

    def accept(self, entry: dict[str, str]) -> bool:
        """Add an accepted finding to the baseline file; False when there is none."""
        return self._store(lambda entries: entries.__setitem__(entry_id(entry), entry))

    def unaccept(self, entry: dict[str, str]) -> bool:
        """Take an accepted finding out of the baseline file (the page's undo); False when
        there is no file."""
        return self._store(lambda entries: entries.pop(entry_id(entry), None))

    def _store(self, change) -> bool:
        """Apply ``change`` to the entries and write them, atomically, under the lock."""
        if self.baseline is None:
            return False
        from ..report import write_atomic

        with self.lock:
            # what is on disk now: another process (an editor's second server, --write-ignore)
            # may have written entries since, and none of them is lost
            entries = dict(self._current())
            change(entries)
            try:
                write_atomic(self.baseline, baseline_text(entries.values()))
            except OSError as err:
                raise ConfigError(f"The accepted-findings file {self.baseline} cannot be written "
                                  f"({err.strerror}).") from None
            self.entries = entries
            self._seen = self._stamp()
        return True

    def _stamp(self):
        try:
            stat = self.baseline.stat()
        except (OSError, AttributeError):
            return None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def _current(self) -> dict[str, dict]:
        """The accepted entries, read again from the baseline file when it changed on disk
        (call under the lock)."""
        if self.baseline is not None and self.baseline.exists():
            stamp = self._stamp()
            if stamp != getattr(self, "_seen", None):
                self.entries = load_baseline_entries(self.baseline)
                self._seen = stamp
        return self.entries


# --- the web application --------------------------------------------------------------------

def create_app(service: Service):
    """The FastAPI application over ``service``."""
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
    from starlette.exceptions import HTTPException
    from typing import Annotated

    # a finding's key as a plain string: capped like the key of an object entry
    AcceptedKey = Annotated[str, StringConstraints(min_length=1, max_length=2000)]

    class Accepted(BaseModel):
        model_config = ConfigDict(extra="forbid")
        key: str = Field(min_length=1, max_length=2000, description="findings[].key")
        scope: Literal["occurrence", "story", "everywhere"] = Field(
            "story", description="occurrence: this one finding (its id); story: its words anywhere in the story; "
                                 "everywhere: in every story.")
        story: str | None = Field(None, max_length=400, description="document.story of the report it was "
                                                                    "accepted in; default: the text of this request.")
        occurrence: str | None = Field(None, max_length=40, description="findings[].id, for scope occurrence.")

        @model_validator(mode="after")
        def _occurrence_named(self):
            if self.scope == "occurrence" and not self.occurrence:
                raise ValueError("an accepted entry of scope occurrence needs its occurrence (the finding's id)")
            return self

    class CheckRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")
        german: str = Field(min_length=1, description="The German text (plain text, Markdown or HTML).")
        source: str | None = Field(None, description="The English source, if there is one.")
        format: Literal["json", "html"] = Field("json", description="json: the mt-audit/1 report; html: "
                                                                     "the HTML report.")
        name: str = Field("article.de.txt", max_length=200,
                          description="A name for the text in the report; its extension hints at the format.")
        input_format: Literal["auto", "txt", "md", "html"] = "auto"
        offset_unit: Literal["code_point", "utf16"] = Field(
            "code_point", description="The unit of findings[].location: code points, or UTF-16 code units "
                                      "(what JavaScript strings and browser editors count).")
        accepted: list[AcceptedKey | Accepted] = Field(
            default_factory=list, max_length=10000,
            description="Findings to treat as accepted, beyond the baseline: a key (findings[].key) is accepted "
                        "everywhere; an object gives the scope.")

    class PageCheck(CheckRequest):
        source_name: str = Field("source.en.txt", max_length=200)

    class AcceptRequest(Accepted):
        check: str = Field("", max_length=200)
        text: str = Field("", max_length=2000)
        message: str = Field("", max_length=4000)

    def scoped(entries: list) -> list:
        """The request's accepted entries as the baseline holds them (a key stays a key)."""
        return [entry if isinstance(entry, str) else entry.model_dump(exclude_none=True) for entry in entries]

    def page_entry(body: AcceptRequest) -> dict:
        """The baseline entry the page accepts (or takes back): the page names the story."""
        entry = body.model_dump(exclude_none=True)
        if body.scope == "everywhere":
            for narrower in ("scope", "story", "occurrence"):
                entry.pop(narrower, None)
            return entry
        if not body.story:
            raise HTTPException(422, f"A finding accepted in scope {body.scope} needs its story "
                                     f"(document.story of the report).")
        if body.scope == "story":
            entry.pop("occurrence", None)
        return entry

    class ErrorBody(BaseModel):
        error: str

    app = FastAPI(title="mt-audit", version=__version__, docs_url=None, redoc_url=None,
                  description="Audit German machine translations of English news copy for meaning drift.")
    app.state.service = service
    if service.cors_origins:
        app.add_middleware(ApiCors, origins=list(service.cors_origins))

    def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        # a validator's own sentence says more than the other branches of a union not matching
        first = next((e for e in errors if e.get("type") == "value_error"), errors[0] if errors else {})
        if first.get("type") == "json_invalid":
            return error(422, "The request body is not valid JSON.")
        # the path of fields; a union's branch tags ("function-after[...]") are no field
        where = ".".join(str(part) for part in first.get("loc", ())
                         if part != "body" and (isinstance(part, int) or part.isidentifier())) or "body"
        message = first.get("msg", "not valid").removeprefix("Value error, ")
        return error(422, f"The request is invalid: {where}: {message}.")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        messages = {400: "The request body cannot be read: send JSON in UTF-8.",
                    404: "There is nothing at this address.", 405: "This address does not take that method."}
        return error(exc.status_code, exc.detail if isinstance(exc.detail, str) and exc.status_code not in messages
                     else messages.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(AuditError)
    async def audit_error(request: Request, exc: AuditError):
        return error(503 if isinstance(exc, ModelUnavailable) else 422, exc.served_message())

    @app.exception_handler(Abandoned)
    async def abandoned(request: Request, exc: Abandoned):
        return error(503, str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        return error(500, f"Internal error ({type(exc).__name__}: {exc}); please report it.")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = request.headers.get("host")
        if not service.host_allowed(host):  # every route: DNS rebinding reaches them all
            return error(421, f"This server does not answer to the host {_printable(host or '(none)')!r}; "
                              f"start it with --allowed-host NAME to reach it by that name.")
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.headers.get("content-length")
            if length is None:
                return error(411, "A request body needs a Content-Length header.")
            if not length.isdigit() or int(length) > service.max_bytes:
                return error(413, f"The request is larger than the limit of {service.max_bytes:,} bytes.")
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def same_site(request: Request) -> None:
        """State-changing page requests: the page's token, and a same-host Origin if any."""
        token = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(token.encode(), service.token.encode()):
            raise HTTPException(403, "The request does not carry this page's token; reload the page.")
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host"):
            raise HTTPException(403, "Cross-site requests are refused.")

    async def on_worker(request: Request, function):
        """Run ``function(deadline)`` on the worker; when the client goes away meanwhile,
        the deadline tells the audit to stop at its next stage."""
        gone = threading.Event()
        deadline = Deadline(service.max_audit_seconds, gone.is_set)

        async def watch():  # the body is read: what the server hears next is the client going
            while (await request.receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.ensure_future(watch())
        work = asyncio.get_running_loop().run_in_executor(service.worker, function, deadline)
        try:
            # the answer comes at the limit even where a stage runs long: the audit itself stops
            # at its next check (and the next audit waits for that)
            remaining = max(0.0, service.max_audit_seconds - (time.monotonic() - deadline.started))
            return await asyncio.wait_for(asyncio.shield(work), timeout=remaining + 0.25)
        except asyncio.TimeoutError:
            raise Abandoned(True, service.max_audit_seconds) from None
        finally:
            watcher.cancel()

    # --- API ------------------------------------------------------------------------------

    errors = {status: {"model": ErrorBody, "description": text} for status, text in ERROR_STATUSES.items()}

    @app.get("/api/health", summary="Whether the server is up, and what it audits with",
             responses={200: {"content": {"application/json": {"schema": HEALTH_SCHEMA}}}, 421: errors[421]})
    async def health() -> dict:
        s = service.settings
        state, reason = service.model_state()
        return {"status": "ok", "version": __version__, "backend": s.backend, "model": s.model,
                "model_loaded": state == "loaded", "model_state": state, "model_unavailable_reason": reason,
                "fail_on": service.auditor.fail_on,
                "baseline": service.baseline.name if service.baseline else None,
                "judges": service.auditor.judges_record()}

    @app.post("/api/check", summary="Audit a German text (and its English source)",
              responses={200: {"description": "The mt-audit/1 JSON report (format json) or the HTML report "
                                              "(format html); the header X-MT-Audit-Gate says passed or failed.",
                               "content": {"application/json": {"schema": report_schema()},
                                           "text/html": {"schema": {"type": "string"}}},
                               "headers": {"X-MT-Audit-Gate": {"description": "passed or failed",
                                                               "schema": {"enum": ["passed", "failed"]}}}},
                         **{status: errors[status] for status in (400, 411, 413, 421, 422, 500, 503)}})
    async def check(body: CheckRequest, http: Request):
        from ..report import html, json_report

        request = check_input(body.german, body.source, body.name, "source.en.txt", body.input_format,
                              scoped(body.accepted))

        def run(deadline):
            doc, passed = service.audit(request, deadline=deadline)
            record = service.auditor.settings_record(doc)
            if body.format == "html":
                return html.render(doc, record, passed), passed, doc.name
            return json_report.to_dict(doc, record, passed, body.offset_unit), passed, doc.name

        result, passed, name = await on_worker(http, run)
        gate = {"X-MT-Audit-Gate": "passed" if passed else "failed"}
        if body.format == "html":
            return HTMLResponse(result, headers={**gate, "Content-Security-Policy": REPORT_CSP,
                                                 "Content-Disposition": content_disposition(f"{name}.html")})
        return JSONResponse(result, headers=gate)

    # --- the page -------------------------------------------------------------------------

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def page():
        from ..report.html import page_html

        s = service.settings
        return HTMLResponse(page_html(token=service.token, backend=s.backend, model=s.model,
                                      model_state=service.model_state()[0],
                                      baseline=service.baseline.name if service.baseline else None,
                                      max_bytes=service.max_bytes, version=__version__))

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str):
        from ..report.html import static_text

        if name not in STATIC:  # a fixed list: no request value names a file
            raise HTTPException(404)
        return Response(static_text(name), media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    @app.post("/ui/decode", include_in_schema=False)
    async def decode(request: Request):
        """An uploaded file's text (decoded as the CLI decodes files), for the editor."""
        from ..text.ingest import decode_text

        same_site(request)
        data = await request.body()
        name = _safe_name(unquote(request.headers.get("x-file-name", "")), "upload.txt")
        text, encoding, warnings = decode_text(data, f"uploaded file {name}", "upload")
        return {"text": text, "encoding": encoding, "warnings": warnings, "name": name}

    @app.post("/ui/jobs", include_in_schema=False, status_code=202)
    async def start(body: PageCheck, request: Request):
        same_site(request)
        job = service.submit(check_input(body.german, body.source, body.name, body.source_name, body.input_format,
                                         scoped(body.accepted), body.offset_unit))
        return {"job": job.id}

    @app.get("/ui/jobs/{job_id}", include_in_schema=False)
    async def progress(job_id: str):
        job = service.jobs.get(job_id)
        if job is None:
            raise HTTPException(404)
        job.seen = time.monotonic()
        body = {"state": job.state, "stage": job.stage, "done": job.done, "total": job.total}
        if job.state == "done":
            body["result"] = job.result
        elif job.state == "error":
            body["error"] = job.error
            body["status"] = job.status
        return body

    @app.post("/ui/accept", include_in_schema=False)
    async def accept(body: AcceptRequest, request: Request):
        same_site(request)
        stored = await asyncio.to_thread(service.accept, page_entry(body))
        return {"stored": "baseline" if stored else "page",
                "baseline": service.baseline.name if service.baseline else None}

    @app.post("/ui/unaccept", include_in_schema=False)
    async def unaccept(body: AcceptRequest, request: Request):
        """The page's undo of an accept."""
        same_site(request)
        stored = await asyncio.to_thread(service.unaccept, page_entry(body))
        return {"stored": "baseline" if stored else "page",
                "baseline": service.baseline.name if service.baseline else None}

    return app


class ApiCors:
    """CORS for the API routes only (``--cors-origin``): the page's own routes, which carry
    its token, stay same-origin whatever the list says."""

    def __init__(self, app, origins: list[str]):
        from starlette.middleware.cors import CORSMiddleware

        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "POST"],
                                   allow_headers=["content-type"], expose_headers=["X-MT-Audit-Gate"], max_age=600)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def report_schema() -> dict:
    """The mt-audit/1 JSON schema as an OpenAPI 3.1 schema object (its own ``$schema`` and
    ``$id`` belong to the standalone file)."""
    import json

    from ..report.json_report import SCHEMA_FILE

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


ERROR_STATUSES = {
    400: "The body cannot be read as UTF-8 JSON.",
    411: "The request has no Content-Length.",
    413: "The body is larger than the server's limit.",
    421: "The Host header names no host this server answers to.",
    422: "The request is invalid (a field), or the audit refuses the text (no article text, binary).",
    500: "A bug in mt-audit; the sentence says what failed.",
    503: "The model cannot be loaded, or the audit ran past the server's time limit.",
}
HEALTH_SCHEMA = {
    "type": "object",
    "required": ["status", "version", "backend", "model", "model_loaded", "model_state", "fail_on"],
    "properties": {
        "status": {"const": "ok"}, "version": {"type": "string"}, "backend": {"type": "string"},
        "model": {"type": ["string", "null"]},
        "model_loaded": {"type": "boolean"},
        "model_state": {"enum": ["off", "loading", "loaded", "unavailable"],
                        "description": "off: no back-translation asked for; loading: the model loads (at the "
                                       "server's start); unavailable: it could not be loaded, and audits run "
                                       "without it."},
        "model_unavailable_reason": {"type": ["string", "null"]},
        "fail_on": {"enum": ["major", "minor", "never"]}, "baseline": {"type": ["string", "null"]},
        "judges": {"type": "array", "description": "The judges of meaning: model-free always; a quality-estimation "
                                                   "model (--qe) with whether it is loaded and, if not, why.",
                   "items": {"type": "object", "required": ["judge", "ran"],
                             "properties": {"judge": {"type": "string"}, "ran": {"type": "boolean"},
                                            "reason": {"type": ["string", "null"]}}}},
    },
}


def content_disposition(filename: str) -> str:
    """An attachment header for ``filename`` (RFC 6266): a plain ASCII fallback with nothing
    that could end the quoted string, and the exact name as UTF-8 in ``filename*`` (RFC 5987)."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\;%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())[:100]


def _safe_name(name: str, default: str) -> str:
    """A display name from a request: its last path part, printable, at most 120 characters
    (it only names the text in the report and hints at its format; nothing opens it)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:120]
    return name if name and name not in (".", "..") else default


def listening_socket(host: str, port: int):
    """A socket bound to ``host``:``port`` and listening, or InputError with one sentence
    (a port another process holds, a host this machine does not have)."""
    import socket

    from ..errors import InputError

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as err:
        raise InputError(f"mt-audit serve cannot listen on {host}:{port}: the host is unknown "
                         f"({getattr(err, 'strerror', None) or err}).") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise InputError(f"mt-audit serve cannot listen on {host}:{port} ({err.strerror or err}): "
                         f"choose another --port or --host.") from None
    return sock


# A connection must send its request's headers within this many seconds (a client that opens
# connections and never finishes them holds no slot), and at most this many requests are
# answered at once; more get the documented JSON 503 at once.
HEADER_TIMEOUT_S = 10.0
MAX_REQUESTS = 64


def server_config(service: Service, host: str, port: int):
    """uvicorn's configuration for ``service``: requests limited by ``MAX_REQUESTS`` in flight
    (not by open connections), connections closed that send no complete request headers
    within ``HEADER_TIMEOUT_S``."""
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._headers_due = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_late)

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None and self._headers_due is not None:
                self._headers_due.cancel()
                self._headers_due = None

        def connection_lost(self, exc) -> None:
            if self._headers_due is not None:
                self._headers_due.cancel()
                self._headers_due = None
            super().connection_lost(exc)

        def _headers_late(self) -> None:
            self._headers_due = None
            if self.cycle is None and not self.transport.is_closing():
                self.transport.close()

    return uvicorn.Config(LimitedRequests(create_app(service), MAX_REQUESTS), host=host, port=port,
                          log_level="warning", http=HeaderTimeoutProtocol, limit_concurrency=None,
                          timeout_keep_alive=5)


class LimitedRequests:
    """ASGI: at most ``limit`` HTTP requests in flight; beyond, 503 with the JSON error body."""

    def __init__(self, app, limit: int):
        self.app, self.limit, self.active = app, limit, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.active >= self.limit:
            body = json.dumps({"error": "The server is answering as many requests as it can; try again in a "
                                        "moment."}).encode()
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


def serve(service: Service, host: str, port: int, sock=None) -> None:
    """Run the server until interrupted (on ``sock`` when one is given, already listening)."""
    import uvicorn

    server = uvicorn.Server(server_config(service, host, port))
    server.run(sockets=[sock] if sock is not None else None)
