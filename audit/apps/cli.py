"""Command line: ``mt-audit check``, ``mt-audit eval``.  Thin: the work is in pipeline.py."""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from .. import __version__
from .help import FullHelpGroup
from ..errors import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, AuditError, ConfigError, InputError
from ..translate import BACKENDS, DEFAULT_MODEL, DEFAULT_REVISION, DecodingSettings
from ..judge.base import JUDGES

EXIT_CODES_HELP = """
\b
Exit codes:
  0  the gate passed (no open finding at or above --fail-on)
  1  findings at or above --fail-on
  2  bad usage; an unreadable or invalid input, configuration, glossary or
     baseline; or reports that cannot be written (no permission, disk full)
  3  a model was required (--require-model) but could not be loaded
  4  internal error (a bug in mt-audit; the message says what failed)
  130  interrupted (Ctrl-C); 143  terminated (SIGTERM): nothing half-written is left
"""


def _fail(err: AuditError) -> None:
    from ..report.terminal import fail

    fail(err)


@click.group(cls=FullHelpGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mt-audit")
def main() -> None:
    """Audit German machine translations of English news copy for meaning drift."""


def _audit_options(command, reports: bool = True):
    """The options that ``check`` and ``batch`` share (``serve`` shares those that are not
    about report files)."""
    report_options = [
        click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
                     show_default=True, help="Directory the reports are written to (as <name>.html, "
                                             "<name>.json, <name>.junit.xml)."),
        click.option("--format", "formats", default="html,json", show_default=True,
                     help="Comma-separated report formats: html, json, junit (per document), sarif, gitlab "
                          "(GitLab Code Quality; one file for all documents), github (GitHub Actions "
                          "annotations on standard output), lines (one 'file:line:col: severity: message "
                          "[check]' line per finding on standard output, for editors and grep), terminal "
                          "(no file, the summary only)."),
        click.option("--base-dir", type=click.Path(path_type=Path), default=None,
                     help="Folder that SARIF, GitLab, GitHub and JUnit reports name files relative to. "
                          "Default: the root of the git repository the command runs in, else the current "
                          "folder."),
    ]
    options = (report_options if reports else []) + [
        click.option("--fail-on", type=click.Choice(["major", "minor", "never"]), default=None,
                     help="Lowest severity that fails the gate (exit 1). Default: from the config, 'major'."),
        click.option("--model", default=None,
                     help=f"Model id on the Hugging Face hub, or a local directory holding a MarianMT model or "
                          f"its CTranslate2 conversion. Default: $MT_AUDIT_MODEL or {DEFAULT_MODEL}."),
        click.option("--revision", default=DEFAULT_REVISION, show_default=True, help="Model revision on the hub."),
        click.option("--backend", type=click.Choice(BACKENDS), default="marian", show_default=True,
                     help="Back-translation backend: marian (transformers), ctranslate2 (int8 conversion of "
                          "the same model, made on first use), or none (only the checks that need no model)."),
        click.option("--int8", is_flag=True,
                     help="marian backend: dynamic int8 quantisation of the model's linear layers (faster).") ,
        click.option("--require-model", is_flag=True,
                     help="Exit 3 when the model cannot be loaded, instead of auditing without back-translation."),
        click.option("--qe", type=click.Choice(["none", *JUDGES]), multiple=True,
                     help="A quality-estimation model that reads the English source and the German and judges "
                          "each paragraph's meaning: metricx (MetricX-23/24, Apache-2.0; needs the qe extra), comet "
                          "(CometKiwi or XCOMET, gated, non-commercial licence; needs `make comet` or "
                          "$MT_AUDIT_COMET_PYTHON), or none (the default: the model-free checks only). Both need "
                          "--source. Give it twice (--qe metricx --qe comet) to join two judges' scores."),
        click.option("--qe-model", multiple=True, metavar="[KIND=]ID",
                     help="The judge's checkpoint: a Hugging Face id or a local folder; with two judges, KIND=ID for "
                          "each (repeatable). Default: "
                          + ", ".join(f"{k}: {v[1]}" for k, v in JUDGES.items()) + "."),
        click.option("--judge-calibration", type=click.Path(path_type=Path), default=None,
                     help="What the judges' scores mean, written by `mt-audit eval mqm DIR --calibrate FILE` "
                          "(default: the shipped audit/data/judges.toml, fitted on published scores)."),
        click.option("--qe-batch-size", type=click.IntRange(1, 256), default=4, show_default=True,
                     help="Paragraphs per batch of the quality-estimation model (sorted by length)."),
        click.option("--llm-url", default=None, metavar="URL",
                     help="An OpenAI-compatible chat endpoint (a cloud service, llama.cpp's server, vLLM, Ollama) "
                          "whose LLM judges each paragraph the GEMBA-MQM way and names the erroneous words. "
                          "Nothing is sent anywhere without it. The key comes from $MT_AUDIT_LLM_KEY or "
                          "$OPENAI_API_KEY."),
        click.option("--llm-model", default=None, metavar="NAME", help="The model the endpoint is asked for."),
        click.option("--llm-concurrency", type=click.IntRange(1, 64), default=None,
                     help="Requests to the LLM endpoint at once (default: [llm] of the configuration, 4)."),
        click.option("--llm-timeout", type=click.FloatRange(1, 600), default=None,
                     help="Seconds one LLM request may take, a 429 or 5xx answer retried with back-off "
                          "(default: [llm] of the configuration, 60)."),
        click.option("--qe-precision", type=click.Choice(["auto", "bf16", "fp32"]), default="auto", show_default=True,
                     help="Number format of the quality-estimation model: bf16 where the CPU multiplies it "
                          "natively (auto), or always float32 (the published scores' format; slower)."),
        click.option("--beam", "beam_size", type=click.IntRange(1, 16), default=4, show_default=True,
                     help="Beam size of the back-translation."),
        click.option("--batch-size", type=click.IntRange(1, 256), default=16, show_default=True,
                     help="Sentences per translation batch."),
        click.option("--input-format", type=click.Choice(["auto", "txt", "md", "html"]), default="auto",
                     show_default=True, help="Format of the German input; auto uses the extension and the content."),
        click.option("--config", "config_path", type=click.Path(path_type=Path),
                     help="TOML file overriding thresholds and weights (see audit/data/thresholds.toml)."),
        click.option("--glossary", "glossary_path", type=click.Path(path_type=Path),
                     help="TOML file extending or overriding the checks' data (house style)."),
        click.option("--ignore", "ignore_path", type=click.Path(path_type=Path),
                     help="Accepted findings (written by --write-ignore): shown as accepted, never fail the gate."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the translation cache."),
        click.option("--allow-empty", is_flag=True,
                     help="Accept an input with no article text (only bylines, notes, widget labels): the gate "
                          "passes instead of exit 2."),
        click.option("--quiet", "-q", is_flag=True, help="No terminal summary and no progress bar."),
    ]
    if not reports:
        options = [_SERVE_WORDING.get(_option_name(option), option) for option in options]
    for option in reversed(options):
        command = option(command)
    return command


def _option_name(decorator) -> str:
    """The long name of the option a ``click.option`` decorator adds."""
    probe = decorator(lambda **kwargs: None)
    return probe.__click_params__[-1].opts[0]


# ``serve`` answers requests: its options speak of responses, not of exit codes.
_SERVE_WORDING = {
    "--fail-on": click.option("--fail-on", type=click.Choice(["major", "minor", "never"]), default=None,
                              help="Lowest severity that makes a check's verdict 'failed' (the gate field of each "
                                   "response). Default: from the config, 'major'."),
    "--require-model": click.option("--require-model", is_flag=True,
                                    help="Refuse to start (exit 3) when the model cannot be loaded, instead of "
                                         "serving audits without back-translation."),
    "--allow-empty": click.option("--allow-empty", is_flag=True,
                                  help="Accept a text with no article text (only bylines, notes, widget labels): "
                                       "the verdict passes instead of the request being refused with 400."),
    "--quiet": click.option("--quiet", "-q", is_flag=True, help="No progress output on the terminal."),
}


def _serve_options(command):
    return _audit_options(command, reports=False)


def _formats(formats: str) -> list[str]:
    from ..report import FORMATS

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise click.BadParameter(f"unknown format {', '.join(unknown) or '(none)'}; choose from "
                                 f"{', '.join(FORMATS)}", param_hint="--format")
    return wanted


def _settings(options: dict):
    import os

    from ..pipeline import AuditSettings

    def path(key):
        return str(options[key]) if options.get(key) else None

    if options.get("llm_url") and not options.get("llm_model") and not options.get("config_path"):
        raise click.BadParameter("--llm-url needs --llm-model (the model the endpoint is asked for).",
                                 param_hint="--llm-model")

    kinds = [k for k in dict.fromkeys(options.get("qe") or ()) if k != "none"]
    keyed, plain = {}, []
    for value in options.get("qe_model") or ():
        kind, sep, model = value.partition("=")
        if sep and kind in JUDGES:
            if kind not in kinds:
                raise click.BadParameter(f"{value!r} names a checkpoint for {kind}, which --qe does not ask for",
                                         param_hint="--qe-model")
            keyed[kind] = model
        else:
            plain.append(value)
    if len(plain) > 1 or (plain and len(kinds) > 1):
        raise click.BadParameter("with several judges (or checkpoints), name each one's judge: KIND=ID",
                                 param_hint="--qe-model")
    single = plain[0] if plain else None

    return AuditSettings(
        backend=options["backend"], model=options["model"] or os.environ.get("MT_AUDIT_MODEL") or DEFAULT_MODEL,
        revision=options["revision"], require_model=options["require_model"],
        decoding=DecodingSettings(beam_size=options["beam_size"], batch_size=options["batch_size"],
                                  quantize="int8" if options["int8"] and options["backend"] == "marian" else None),
        fail_on=options["fail_on"], input_format=options["input_format"], config_path=path("config_path"),
        glossary_path=path("glossary_path"), ignore_path=path("ignore_path"), use_cache=not options["no_cache"],
        quiet=options["quiet"], allow_empty=options["allow_empty"], base_dir=path("base_dir"),
        qe=",".join(kinds) or "none", qe_model=single, qe_models=tuple(keyed.items()),
        qe_batch_size=options["qe_batch_size"],
        qe_precision=options["qe_precision"], llm_url=options["llm_url"], llm_model=options["llm_model"],
        judge_calibration=path("judge_calibration"),
        llm_concurrency=options["llm_concurrency"], llm_timeout=options["llm_timeout"],
    )


def _output_files(values: tuple[str, ...], wanted: list[str]) -> dict[str, Path]:
    from ..report import COMBINABLE

    files: dict[str, Path] = {}
    for value in values:
        fmt, sep, path = value.partition("=")
        fmt = fmt.strip()
        if not sep or not path or fmt not in COMBINABLE:
            raise click.BadParameter(f"{value!r}: give FORMAT=PATH with FORMAT one of {', '.join(COMBINABLE)}",
                                     param_hint="--output-file")
        if fmt not in wanted:
            raise click.BadParameter(f"{fmt} is not among the --format given", param_hint="--output-file")
        files[fmt] = Path(path)
    return files


_output_file_option = click.option(
    "--output-file", "output_files", multiple=True, metavar="FORMAT=PATH",
    help="Write FORMAT (sarif, gitlab or junit) for all documents to PATH. Default: --out/mt-audit.sarif and "
         "--out/mt-audit.gitlab.json; JUnit is then one file instead of one per document.")


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("german_files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", "source_file", type=click.Path(path_type=Path),
              help="The English original of the one German file given; drift is then judged against it, "
                   "sentence by sentence. Without it, NAME.en.txt (.md, .html) beside NAME.de.txt is used "
                   "when it exists.")
@click.option("--source-dir", type=click.Path(path_type=Path),
              help="Folder of English originals: NAME.de.txt is paired with NAME.en.txt (or .md, .html) there.")
@click.option("--write-ignore", "write_ignore", type=click.Path(path_type=Path),
              help="Write the current findings to this file as a baseline of accepted findings (read back "
                   "with --ignore); the command then exits 0, whatever was found.")
@click.option("--accept-scope", type=click.Choice(["story", "occurrence", "everywhere"]), default="story",
              show_default=True,
              help="How far each finding --write-ignore accepts reaches: its words anywhere in the same story "
                   "(the file's name), that one occurrence, or every story.")
@_output_file_option
@_audit_options
def check(german_files, source_file, source_dir, write_ignore, accept_scope, output_files, **options):
    """Audit GERMAN_FILES (.txt, .md or .html; folders: every such file inside) and write reports.

    Back-translates the German into English, aligns it with the English source
    when there is one, scores every passage and flags the ones whose meaning
    probably drifted; editorial checks (units, loaded terms, names, numbers,
    untranslated text, typography, calques) run with or without a model.
    Several files are audited with one model load; the exit code is the worst
    over them.
    """
    from .corpus import collect_inputs, find_source, source_beside
    from ..text.ingest import document_name
    from ..pipeline import Auditor
    from ..report import check_outputs, combined_paths, report_paths

    wanted = _formats(options["formats"])
    out_dir, quiet = options["out_dir"], options["quiet"]
    try:
        combined = combined_paths(out_dir, wanted, _output_files(output_files, wanted))
        files, missing = collect_inputs(list(german_files), out_dir)
        if missing:
            raise InputError(missing[0][1])
        if source_file and len(files) > 1:
            raise InputError("--source names the English original of one German file; with several "
                                  "files, put NAME.en.txt beside NAME.de.txt or use --source-dir.")
        if source_file:
            sources = [source_file]
        else:
            sources = [find_source(f, source_dir) if source_dir else source_beside(f) for f in files]
        per_document = [report_paths(document_name(f), out_dir, wanted, combined) for f in files]
        planned = [p for paths in per_document for p in paths.values()] + list(combined.values())
        check_outputs(planned + ([Path(write_ignore)] if write_ignore else []),
                      [*files, *sources, *_option_inputs(options)])
        auditor = Auditor(_settings(options))
        audited = []
        for german, source in zip(files, sources):
            doc = auditor.audit(german, source)
            audited.append((doc, auditor.passed(doc)))
        extra = {}
        if write_ignore:
            from ..baseline import baseline_json

            extra[Path(write_ignore)] = baseline_json([doc for doc, _ in audited], accept_scope)
        written = write_reports(audited, auditor, per_document, wanted, combined, extra)
    except AuditError as err:
        _fail(err)
    if not quiet:
        from rich.console import Console

        from ..report.terminal import print_summary

        console = Console(stderr="github" in wanted or "lines" in wanted)
        for number, ((doc, passed), files_written) in enumerate(zip(audited, written)):
            last = number == len(audited) - 1
            print_summary(doc, passed, auditor.fail_on, files_written + (written[-1] if last else []), console,
                          judges=auditor.judges_record(doc))
        if write_ignore:
            console.print(f"  {sum(len(doc.findings) for doc, _ in audited)} findings accepted in {write_ignore}: "
                          "exit 0 (pass it with --ignore)")
    # --write-ignore accepts what was found: the baseline written is what was asked for
    sys.exit(EXIT_OK if write_ignore or all(passed for _, passed in audited) else EXIT_FINDINGS)


def _option_inputs(options: dict) -> list[Path]:
    """The files given with options that an output must never replace."""
    return [Path(options[key]) for key in ("config_path", "glossary_path", "ignore_path") if options.get(key)]


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source-dir", type=click.Path(path_type=Path),
              help="Folder of English originals: NAME.de.txt (or NAME.txt) is paired with NAME.en.txt, "
                   "NAME.en.md or NAME.en.html there, when it exists.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this process; ray: Ray Data on a Ray cluster (needs the ray extra), with the "
                   "same outputs.")
@click.option("--ray-address", default=None, metavar="ADDR",
              help="--engine ray: the cluster to join (e.g. ray://head:10001 or auto); default: a local "
                   "Ray instance on this machine.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="--engine local: worker processes for reading, checking, scoring and rendering (the model "
                   "runs once, in the main process). Default: one per CPU.")
@_output_file_option
@_audit_options
def batch(inputs, source_dir, engine, ray_address, jobs, output_files, **options):
    """Audit many German files in one process (one model load).

    INPUTS are files or folders (every .txt, .md and .html inside).  All documents'
    sentences are back-translated together in length-sorted batches (mapped with
    `datasets`, through the translation cache); one report per document is written to
    --out, plus corpus.jsonl with one line per audited segment.  A file that cannot be
    read is reported and skipped; the exit code is the worst of all documents.
    """
    from .corpus import audit_corpus, collect_inputs, find_source
    from ..text.ingest import document_name
    from ..pipeline import Auditor
    from ..report import check_outputs, combined_paths, report_paths

    wanted = _formats(options["formats"])
    out_dir = options["out_dir"]
    try:
        combined = combined_paths(out_dir, wanted, _output_files(output_files, wanted))
        files, missing = collect_inputs(inputs, out_dir)
        sources = [find_source(f, source_dir) for f in files]
        planned = [p for f in files for p in report_paths(document_name(f), out_dir, wanted, combined).values()]
        check_outputs(planned + [Path(out_dir) / "corpus.jsonl", *combined.values()],
                      [*files, *sources, *_option_inputs(options)])
        auditor = Auditor(_settings(options))
        from ..report import write_files

        def write_rendered(doc, passed, files):
            write_files(files)
            _print_lines(doc, auditor, passed, wanted)

        if engine == "ray":
            from .ray_engine import audit_corpus_ray, require_ray

            require_ray()
            outcome = audit_corpus_ray(auditor, files, sources, out_dir, wanted, combined, ray_address,
                                       write_rendered)
        else:
            from .corpus import default_jobs

            outcome = audit_corpus(auditor, files, sources, out_dir, wanted, combined, write_rendered,
                                   jobs or default_jobs())
        if combined and outcome.audited:
            written = write_reports(outcome.audited, auditor, [{} for _ in outcome.audited],
                                    [f for f in wanted if f not in ("github", "lines")], combined, {})
            outcome.combined = written[-1]
        outcome.errors[:0] = missing
        if missing:
            outcome.error_code = max(outcome.error_code, EXIT_BAD_INPUT)
    except AuditError as err:
        _fail(err)
    from ..report.terminal import printable

    for path, message in outcome.errors:
        click.echo(f"mt-audit: error: {printable(message)}", err=True)
    if not options["quiet"]:
        from rich.console import Console

        from ..report.terminal import print_corpus_summary

        print_corpus_summary(outcome, auditor.fail_on, Console(stderr="github" in wanted or "lines" in wanted))
    sys.exit(outcome.exit_code)


@main.command(epilog="""
\b
Exit codes:
  0  stopped (Ctrl-C)
  2  bad usage, or an invalid configuration, glossary or accepted-findings file
  3  a model was required (--require-model) but could not be loaded
""")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 makes the page reachable from other machines.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option("--max-request-mb", type=click.FloatRange(0.01, 50), default=2.0, show_default=True,
              help="Largest request body accepted (the German, its source and the options together).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name the page is reached by, beyond localhost and IP addresses (requests naming "
                   "any other Host are refused, against DNS rebinding); repeatable.")
@click.option("--max-audit-seconds", type=click.FloatRange(1, 86400), default=600, show_default=True,
              help="Longest time one audit may take; a longer one is stopped and answered with 503.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="An origin (https://cms.example.org) whose pages may call /api/check and /api/health "
                   "from the browser (CORS); repeatable; none by default. The editor's page itself "
                   "stays same-origin.")
@_serve_options
def serve(host, port, max_request_mb, allowed_hosts, max_audit_seconds, cors_origins, **options):
    """Serve the editor's page and the JSON API on http://HOST:PORT/.

    Editors paste or open the German (and the English source), check it, read the
    report beside the text, edit and re-check, and accept findings (into the
    --ignore file, created on the first accept, or into a file they download).
    Scripts POST to /api/check; /openapi.json describes the API.  The model is
    loaded once and the translation cache is shared by every request.
    """
    import importlib.util

    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        from ..errors import install_hint

        _fail(InputError(f"mt-audit serve needs its web server: {install_hint('serve')}."))
    from .serve import Service, listening_socket, serve as run_server

    baseline = options.get("ignore_path")
    options["ignore_path"] = None
    names = set(allowed_hosts)
    if host not in ("0.0.0.0", "::", ""):
        names.add(host)
    try:
        service = Service(_settings(options), Path(baseline) if baseline else None,
                          max_bytes=int(max_request_mb * 1024 * 1024), allowed_hosts=frozenset(names),
                          max_audit_seconds=max_audit_seconds, cors_origins=_origins(cors_origins))
    except AuditError as err:
        _fail(err)
    try:
        # bound before anything is announced: a busy port or an impossible host is one sentence
        sock = listening_socket(host, port)
    except AuditError as err:
        _fail(err)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"mt-audit: listening on {host}: anyone who can reach this machine can use the page.", err=True)
    click.echo(f"mt-audit: the page is at http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}/ "
               "(Ctrl-C stops it)", err=True)
    run_server(service, host, port, sock)


def _origins(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--cors-origin`` values as browsers send them (scheme://host[:port]), or exit 2."""
    out = []
    for value in values:
        parts = urlsplit(value.strip())
        exact = parts.scheme in ("http", "https") and parts.netloc and parts.path in ("", "/")
        if not exact or parts.query or parts.fragment:
            _fail(ConfigError(f"--cors-origin {value!r} is no origin; give scheme and host, as in "
                              f"https://cms.example.org (one per option; '*' is not accepted)."))
        out.append(f"{parts.scheme}://{parts.netloc}".lower())
    return tuple(out)


@main.command("checks")
def checks_command():
    """List every check: what it flags, its usual severity, and what it needs to run
    (German: always; source: an English original; model: a back-translation)."""
    from rich.console import Console
    from rich.table import Table

    from ..checks.catalog import CATALOG

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("check", "severity", "needs", "what it flags"):
        table.add_column(column)
    for info in CATALOG:
        table.add_row(info.id, info.severity, info.needs, info.summary)
    Console().print(table)
    click.echo("Details, examples and how to tune each check: docs/checks.md")


from ..evaluate.cli import eval_group  # noqa: E402  (the eval commands live with the evaluations)

main.add_command(eval_group)


def write_reports(audited: list, auditor, per_document: list[dict], formats: list[str],
                  combined: dict[str, Path], extra: dict | None = None) -> list[list[str]]:
    """Render the reports of ``formats`` for each (document, passed) of ``audited`` (to the
    paths of ``per_document``) and the ``combined`` ones for all of them, and write every
    file (and ``extra`` files) all or none; GitHub annotations go to standard output once
    the files are written.  Returns the files written per document, then the combined
    files."""
    from ..report import github, render_combined, render_reports, write_files

    files: dict[Path, str] = {}
    written: list[list[str]] = []
    for (doc, passed), paths in zip(audited, per_document):
        mine = render_reports(doc, auditor, paths, formats, passed)
        files.update(mine)
        written.append([str(p) for p in mine])
    if combined and audited:
        settings = auditor.ci_settings(audited[0][0])
        docs = [doc for doc, _ in audited]
        files.update({path: render_combined(fmt, docs, settings) for fmt, path in combined.items()})
    files.update(extra or {})
    written.append([str(p) for p in combined.values()] + [str(p) for p in (extra or {})])
    write_files(files)
    for doc, passed in audited:
        _print_lines(doc, auditor, passed, formats)
    return written


def _print_lines(doc, auditor, passed: bool, formats: list[str]) -> None:
    """The formats written to standard output: GitHub annotations, ``file:line:col`` lines."""
    if "github" in formats:
        from ..report import github

        click.echo(github.render(doc, auditor.ci_settings(doc), passed), nl=False)
    if "lines" in formats:
        from ..report.terminal import finding_lines

        click.echo(finding_lines(doc), nl=False)


EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class _Terminated(BaseException):
    """SIGTERM, raised where the process is so that temporary files are removed."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def run() -> None:
    """Console entry point: bad input never ends in a traceback; Ctrl-C and SIGTERM end with
    their own exit codes (130, 143) and leave no half-written file."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    code = None
    try:
        try:
            _run_main()
        except _Terminated:  # a second signal while the first one's message was written
            code = EXIT_TERMINATED
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
        except SystemExit as done:
            if done.code not in (EXIT_INTERRUPTED, EXIT_TERMINATED):
                raise
            # the command has cleaned up (its files written or removed, its workers stopped):
            # end now, without the interpreter's shutdown joining the threads of a stopped
            # worker pool (which may wait for results that never come, or print their errors)
            code = done.code
        finally:
            # the command is done (its files written or removed): a signal arriving while the
            # interpreter shuts down ends the process with its code, not with a traceback
            signal.signal(signal.SIGINT, _exit_now)
            signal.signal(signal.SIGTERM, _exit_now)
    except _Terminated:  # the signal came while the handlers above were being set
        code = EXIT_TERMINATED
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    if code is not None:
        _leave(code)


def _exit_now(signum, frame) -> None:
    import signal

    _leave(EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_TERMINATED)


def _leave(code: int) -> None:
    """Flush what was said and end the process with ``code`` at once."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001  (closed or broken: nothing more to say)
            pass
    os._exit(code)


def _run_main() -> None:
    try:
        main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort) as err:
        cause = err.__cause__ if isinstance(err, click.exceptions.Abort) else None
        if isinstance(cause, EOFError):  # click turns every EOFError into Abort: a bug, not Ctrl-C
            click.echo(f"mt-audit: internal error (EOFError: {cause}); please report it.", err=True)
            sys.exit(EXIT_INTERNAL)
        click.echo("mt-audit: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except _Terminated:
        click.echo("mt-audit: terminated", err=True)
        sys.exit(EXIT_TERMINATED)
    except click.exceptions.ClickException as err:  # usage errors: click's own message, exit 2
        err.show()
        sys.exit(err.exit_code)
    except click.exceptions.Exit as err:  # --help, --version
        sys.exit(err.exit_code)
    except Exception as err:  # a bug, not bad input: still one sentence, and a distinct code
        click.echo(f"mt-audit: internal error ({type(err).__name__}: {err}); please report it.", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    run()
