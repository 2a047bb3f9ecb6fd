"""The ``mt-audit eval`` commands: each measurement on evaluation data, printed as a table
and optionally written as JSON."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import AuditError
from ..judge.base import JUDGES
from ..apps.help import FullHelpGroup
from ..translate import BACKENDS, DEFAULT_MODEL
from ..report.terminal import fail as _fail


_json_option = click.option("--json", "json_path", type=click.Path(path_type=Path),
                            help="Also write the figures here.")
_thresholds_option = click.option("--config", "config_path", type=click.Path(path_type=Path),
                                  help="Measure with these thresholds instead of the shipped ones.")


def _require_folder(directory: Path) -> None:
    """One sentence, before anything is measured, when the evaluation folder is missing."""
    if not Path(directory).is_dir():
        _fail(AuditError(f"The evaluation folder {directory} does not exist (or is no folder)."))


def _measured(evaluate, *args):
    """``evaluate(*args)``, with bad evaluation data reported as one error sentence."""
    try:
        return evaluate(*args)
    except AuditError as err:
        _fail(err)


@click.group(name="eval", cls=FullHelpGroup)
def eval_group() -> None:
    """Measure mt-audit on evaluation data (e.g. ../shared/eval)."""


@eval_group.command("alignment")
@click.argument("directory", type=click.Path(path_type=Path))
@_json_option
@click.option("--word-weight", type=click.FloatRange(0.0, 1.0), default=None,
              help="Share of the IDF-weighted word score in the bead similarity (the rest is chrF); "
                   "default: the aligner's own.")
@click.option("--move-margin", default=None, metavar="MARGIN|none",
              help="How much more of a boundary sentence's words the neighbouring bead must hold for "
                   "the sentence to move there after the search; 'none' turns the refinement off; "
                   "default: the aligner's own.")
@click.option("--semicolon-margin", default=None, metavar="MARGIN|none",
              help="How much more of its words a segment's own bead must hold to keep a boundary "
                   "right after a clause ending in ';'; 'none' treats such a boundary like any other; "
                   "default: the aligner's own.")
@click.option("--parenthesis-penalty", type=click.FloatRange(0.0), default=None,
              help="Cost of a bead boundary inside a parenthesis, in units of leaving a median sentence "
                   "unaligned; 0 turns it off; default: the aligner's own.")
@click.option("--embedding-weight", type=click.FloatRange(0.0, 1.0), default=None,
              help="Share of the multilingual sentence-vector similarity in the bead similarity of the "
                   "model-free path (with the crosslingual extra); default: the aligner's own.")
@click.option("--unrelated-share-embedded", type=click.FloatRange(0.0), default=None,
              help="With sentence vectors: leave a sentence unaligned past this share of the way from "
                   "the document's typical matched pair to its typical unrelated pair; default: the "
                   "aligner's own.")
def eval_alignment_command(directory, json_path, word_weight, move_margin, semicolon_margin, parenthesis_penalty,
                           embedding_weight, unrelated_share_embedded):
    """Sentence alignment against the Text+Berg gold (DIRECTORY/alignment/textberg.json)."""
    _require_folder(directory)
    from ..align.aligner import AlignParams
    from . import eval_alignment

    changes = {}
    for name, value in (("word_weight", word_weight), ("parenthesis_penalty", parenthesis_penalty),
                        ("embedding_weight", embedding_weight),
                        ("unrelated_share_embedded", unrelated_share_embedded)):
        if value is not None:
            changes[name] = value
    for name, value in (("move_margin", move_margin), ("semicolon_margin", semicolon_margin)):
        if value is None:
            continue
        try:
            changes[name] = None if value.lower() == "none" else float(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is neither a number nor 'none'.",
                                     param_hint="--" + name.replace("_", "-")) from None
    params = AlignParams(**changes)
    figures = _measured(eval_alignment, directory, params)
    table = {name: {"strict P": f["strict"]["precision"], "strict R": f["strict"]["recall"],
                    "strict F1": f["strict"]["f1"], "lax F1": f["lax"]["f1"], "seconds": f["seconds"]}
             for name, f in figures.items()}
    _print_figures("sentence alignment: Text+Berg (gold links) and news with edits (gold by construction)",
                   table, json_path, figures)


@eval_group.command("drift")
@click.argument("directory", type=click.Path(path_type=Path))
@_json_option
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Measure with this model and these thresholds instead of the shipped ones.")
@click.option("--tune", "tune_path", type=click.Path(path_type=Path),
              help="Fit the model and thresholds on all of DIRECTORY and write them here as a configuration file.")
@click.option("--ablation", is_flag=True,
              help="Also refit without each signal and print the left-out-language figures on critical rows.")
@click.option("--no-cache", is_flag=True, help="Compute the drift signals again instead of reading them from the cache.")
def eval_drift_command(directory, json_path, config_path, tune_path, ablation=False, no_cache=False):
    """Drift on DEMETR (every DIRECTORY/drift/*.jsonl): pairwise accuracy, flags with the
    shipped (or --config) thresholds, by file, language and perturbation; and the same
    fitted without each language and measured on it (leave one language out)."""
    _require_folder(directory)
    from ..config import load_config
    from .drift import ablation as ablate
    from .drift import drift_features, fit, leave_one_language_out, measure_all, tuned_toml

    try:
        config = load_config(config_path)
        rows = drift_features(directory, use_cache=not no_cache)
        if not rows:
            raise AuditError("The drift files hold no usable rows (critical, major or minor perturbations).")
        if tune_path:
            from ..report import write_atomic

            tuned = fit(rows)
            config["drift"].update(tuned)
            write_atomic(Path(tune_path), tuned_toml(tuned, directory))
            click.echo(f"fitted model and thresholds written to {tune_path}", err=True)
        figures = measure_all(rows, config)
        figures["left_out_language"] = leave_one_language_out(rows)
        if ablation:
            figures["ablation_critical"] = ablate(rows)
    except AuditError as err:
        _fail(err)

    def flat(f):
        shipped = f["shipped"]
        return {"MT major": shipped["false_major_rate"], "MT any": shipped["false_flag_rate"],
                "crit major": shipped["recall_major"].get("critical"),
                "crit any": shipped["recall_any"].get("critical"),
                "pairwise": f["pairwise_accuracy"].get("critical"),
                "oracle": f["flag_recall_at_5pct_false_flags"].get("critical")}

    table = {"all rows": flat(figures), **{f"file {k}": flat(v) for k, v in figures["by_file"].items()},
             **{k: flat(v) for k, v in figures["by_language"].items()}}
    _print_figures("drift with the configuration given: MT rows flagged major / at all, critical rows "
                   "flagged, critical pairwise accuracy, oracle recall at 5% MT flagged", table, json_path, figures)
    lolo = figures["left_out_language"]
    if lolo:
        _print_figures("drift fitted without each language, measured on it (leave one language out)",
                       {**{k: flat(v) for k, v in lolo["by_language"].items()},
                        "average (left out)": flat(lolo["average"])}, None)
    _print_figures("by perturbation (configuration given)",
                   {k: {"rows": v["rows"], "pairwise": v["pairwise_accuracy"], "major": v["recall_major"],
                        "any": v["recall_any"]} for k, v in figures["by_perturbation"].items()}, None)
    if ablation:
        _print_figures("left-out-language figures on critical rows, each signal left out (model refitted)",
                       figures["ablation_critical"], None)


@eval_group.command("contrastive")
@click.argument("directory", type=click.Path(path_type=Path))
@_json_option
@_thresholds_option
def eval_contrastive_command(directory, json_path, config_path):
    """Model-free source-vs-German checks on DIRECTORY/contrastive/*: recall on the German
    with a negation or clause removed, false alarms on the correct German."""
    _require_folder(directory)
    from ..config import load_config
    from .contrastive import eval_contrastive

    figures = _measured(lambda: eval_contrastive(directory, load_config(config_path)))
    _print_figures("source-vs-German checks (contrastive sets)", figures, json_path)


@eval_group.command("mqm")
@click.argument("directory", type=click.Path(path_type=Path))
@_json_option
@_thresholds_option
@click.option("--backend", type=click.Choice(BACKENDS), default="none", show_default=True,
              help="Back-translation backend for the audits of real MT output (none: only what needs no model).")
@click.option("--model", default=None, help="Model id or local directory for a backend other than none.")
@click.option("--qe", "qe", type=click.Choice(["none", *JUDGES]), default="none", show_default=True,
              help="Audit with this quality-estimation judge too and keep its scores in the records: "
                   "--qe-replay and --calibrate then use them instead of the published ones (to calibrate "
                   "your own checkpoint).")
@click.option("--qe-model", "qe_model", default=None, help="The judge's checkpoint (id or local folder).")
@click.option("--workers", type=click.IntRange(1), default=None, help="Processes auditing the files (default: one per core).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Audit only the first N file pairs (a quick look).")
@click.option("--records", "records_path", type=click.Path(path_type=Path),
              help="Also write every line's gold, findings and passage features here (JSON).")
@click.option("--tune", "tune_path", type=click.Path(path_type=Path),
              help="Fit the [qe] model and thresholds on all audited lines and write them here as a configuration file.")
@click.option("--ablation", is_flag=True, help="Also refit without each feature and print the held-out AUC.")
@click.option("--professional", "professional_set", default="generaltest2022", show_default=True, metavar="SET",
              help="The set of DIRECTORY/precision (professional translations) whose findings per 1000 words "
                   "bound the fitted thresholds; 'none' leaves it out.")
@click.option("--from-records", "from_records", type=click.Path(path_type=Path),
              help="Measure, fit and calibrate from records written by --records instead of auditing again.")
@click.option("--qe-replay", "replay", multiple=True, metavar="METRIC",
              help="Replay a published metric's scores as a quality-estimation judge's output (repeatable: "
                   "two judges joined); measures calibration, severity, fusion and the gate as a user with "
                   "that model would get them.")
@click.option("--judge-calibration", "calibration_path", type=click.Path(path_type=Path),
              help="Measure with this judge calibration instead of the shipped one.")
@click.option("--calibrate", "calibrate_path", type=click.Path(path_type=Path),
              help="Fit the judges' calibration on every line and write it here (the format of audit/data/judges.toml).")
@click.option("--fit-share", "share", type=click.FloatRange(0.01, 1.0), default=None, metavar="SHARE",
              help="Fit the judges' thresholds to this share of the budgets (0.3 major and 2 findings per 1000 words "
                   "of professional translation); the rest is a margin for text of other registers. Default: the "
                   "shipped calibration's, 0.5.")
def eval_mqm_command(directory, json_path, config_path, backend="none", model=None, workers=None, limit=None,
                     records_path=None, tune_path=None, ablation=False, professional_set="generaltest2022",
                     from_records=None, replay=(), calibration_path=None, calibrate_path=None, qe="none",
                     qe_model=None, share=None):
    """Expert MQM annotations of real English→German MT.  DIRECTORY/mqm-wmt23 (WMT23, 12
    systems; each file pair audited as `mt-audit check SYS__DOC.de.txt --source
    SYS__DOC.en.txt` would): recall on lines with a major accuracy error at the false-flag
    rate on error-free lines, the published QE metrics at the same rate, figures by
    domain, system, error category and check, span agreement, and the [qe] model fitted on
    one part and measured on the other.  DIRECTORY/mqm/mqm_ted_ende.seglevel.tsv (TED):
    the source-vs-German checks per segment."""
    import json
    import os

    from ..config import load_config
    from ..judge.calibration import FIT_SHARE, SCALES
    from ..pipeline import AuditSettings
    from . import measures, mqm_wmt
    from .mqm import eval_mqm

    if from_records is None:
        _require_folder(directory)
    record = {}
    ted = Path(directory) / "mqm" / "mqm_ted_ende.seglevel.tsv"
    wmt = mqm_wmt.data_folder(directory) / "gold.jsonl"
    if from_records is None and not ted.is_file() and not wmt.is_file():
        _fail(AuditError(f"Neither {wmt} nor {ted} exists: no MQM data to measure on."))
    unknown = [m for m in replay if m not in SCALES]
    if unknown:
        _fail(AuditError(f"--qe-replay takes {', '.join(SCALES)}; {unknown[0]!r} is none of them."))
    if from_records is not None or wmt.is_file():
        settings = AuditSettings(backend=backend, model=model or os.environ.get("MT_AUDIT_MODEL") or DEFAULT_MODEL,
                                 config_path=str(config_path) if config_path else None, quiet=True,
                                 qe=qe, qe_model=qe_model, require_model=qe != "none")
        if from_records is not None:
            data = _measured(mqm_wmt.load_records, from_records)
        else:
            data = _measured(mqm_wmt.audit_records, directory, settings, workers, limit)
        if records_path:
            from ..report import write_atomic

            write_atomic(Path(records_path), json.dumps(data, ensure_ascii=False) + "\n")
        records, professional = data["lines"], data["professional"]
        result = mqm_wmt.eval_mqm_wmt(records)
        figures = result["all"]
        _print_figures("real MT (MQM WMT23 en-de): lines with a major accuracy error found, error-free lines flagged",
                       {"major findings": {"recall": figures["major"]["recall"],
                                           "false flags": figures["major"]["false_flag_rate"],
                                           **figures["major"]["anchors_at_same_rate"]},
                        "any finding": {"recall": figures["any"]["recall"],
                                        "false flags": figures["any"]["false_flag_rate"],
                                        **figures["any"]["anchors_at_same_rate"]}}, None)
        click.echo(f"lines {figures['lines']}, with a major accuracy error {figures['major_accuracy_lines']}, "
                   f"error-free {figures['error_free_lines']}; the metrics' columns: their recall at the same "
                   f"false-flag rate; AUC {figures['auc']} (metrics: "
                   + ", ".join(f"{k} {v}" for k, v in figures["anchors_auc"].items()) + "); recall at 5/10/20% "
                   f"false flags by the findings' confidence: " + ", ".join(f"{v}" for v in figures["recall_at"].values()))
        _print_figures("span agreement (major findings on lines with a major accuracy error)",
                       {"": figures["span_agreement"]}, None)
        _print_figures("by domain", result["by_domain"], None)
        _print_figures("by system", result["by_system"], None)
        _print_figures("by major accuracy error category (lines holding one)", result["by_category"], None)
        _print_figures("by check (share of lines flagged)", result["by_check"], None)
        if professional:
            result["meaning_budget"] = mqm_wmt.professional_budget(professional)
            _print_figures(f"meaning score: minor threshold at {mqm_wmt.POOLED_MINOR_PER_1000} findings per 1000 words of "
                           "professional translation (all sets pooled; each set left out: fitted on the others, "
                           "measured on it)", result["meaning_budget"], None)
        try:
            good = None
            if professional_set.lower() != "none":
                good = mqm_wmt.professional_passages_of(professional, professional_set)
            result["held_out"] = mqm_wmt.cross_validate(records, professional=good)
            _print_figures("[qe] fitted on one part, measured on the other (line = its highest passage score; "
                           f"thresholds also bounded on {good['set'] if good else 'no professional set'})",
                           result["held_out"], None)
            if ablation:
                result["ablation"] = mqm_wmt.ablation(records)
                _print_figures("held-out AUC without each feature", result["ablation"], None)
            if tune_path:
                from ..report import write_atomic

                model_fit = mqm_wmt.fit(records, professional=good)
                write_atomic(Path(tune_path), mqm_wmt.tuned_toml(model_fit, directory))
                click.echo(f"fitted [qe] model and thresholds written to {tune_path}", err=True)
        except AuditError as err:
            if tune_path or ablation:
                _fail(err)
            click.echo(f"no held-out figures: {err}", err=True)
        share = FIT_SHARE if share is None else share
        measured = _measured(measures.measure, records, professional, tuple(replay), calibration_path, share)
        result["length_controlled"] = measured
        _print_measures(measured)
        if calibrate_path:
            from ..report import write_atomic

            fitted = _measured(measures.calibrate, records, professional, share)
            write_atomic(Path(calibrate_path), fitted)
            click.echo(f"judge calibration written to {calibrate_path}", err=True)
        record["wmt23"] = result
        last_line = measured["last_line"]
    else:
        last_line = None
    if from_records is None and ted.is_file():
        figures = _measured(lambda: eval_mqm(directory, load_config(config_path)))
        table = {"major accuracy error": figures["major_accuracy_error"], "no error": figures["no_error"],
                 **{f"no error, {check} check": {"flag_rate": rate}
                    for check, rate in figures["no_error_by_check"].items()}}
        _print_figures("source-vs-German checks (MQM, TED en-de)", table, None)
        record["ted"] = figures
    if json_path:
        from ..report import write_atomic

        write_atomic(Path(json_path), json.dumps(record, indent=2, sort_keys=True) + "\n")
    if last_line:
        click.echo(last_line)


def _print_measures(measured: dict) -> None:
    """The length-controlled figures: per configuration, per domain left out and pooled."""
    for name, run in measured["configurations"].items():
        _print_figures(f"{name}: fitted on the other domains, measured on the one left out (and pooled; "
                       "within-source AUC holds the English paragraph fixed)", run["folds"], None)
        _print_figures(f"{name}: held out, by major accuracy error category", run["by_category"], None)
        _print_figures(f"{name}: held out, by system", run["by_system"], None)
    _print_figures("each published metric alone (no model-free findings; thresholds at the budgets on the "
                   "professional translations of the same domains, fitted and measured on all)", measured["anchors"], None)
    for note in measured["notes"]:
        click.echo(note)
    _print_figures("as shipped (calibration and thresholds as shipped) on this folder", {"": measured["shipped"]}, None)


@eval_group.command("precision")
@click.argument("directory", type=click.Path(path_type=Path))
@_json_option
@_thresholds_option
@click.option("--backend", type=click.Choice(BACKENDS), default="none", show_default=True,
              help="Back-translation backend for the audits (none: only the checks that need no model).")
@click.option("--model", default=None, help="Model id or local directory for a backend other than none.")
def eval_precision_command(directory, json_path, config_path, backend, model):
    """Findings on professional translations (DIRECTORY/precision/<set>/<doc>.de.txt with
    <doc>.en.txt), audited as `mt-audit check DOC.de.txt --source DOC.en.txt` would: findings
    per 1000 German words by severity and check, and every major finding."""
    _require_folder(directory)
    import os

    from .precision import eval_precision
    from ..pipeline import Auditor, AuditSettings

    def run_eval():
        settings = AuditSettings(backend=backend, model=model or os.environ.get("MT_AUDIT_MODEL") or DEFAULT_MODEL,
                                 config_path=str(config_path) if config_path else None, quiet=True)
        return eval_precision(directory, Auditor(settings))

    figures = _measured(run_eval)
    table = {name: {k: v for k, v in values.items() if k != "by_check"}
             for name, values in figures.items() if name != "major_findings"}
    checks = sorted({c for name, v in figures.items() if name != "major_findings" for c in v["by_check"]})
    _print_figures("findings on professional translations (per 1000 German words)", table, json_path, figures)
    _print_figures("findings per 1000 words, by check",
                   {check: {name: v["by_check"].get(check, {}).get("per_1000", 0.0)
                            for name, v in figures.items() if name != "major_findings"} for check in checks}, None)
    for f in figures["major_findings"]:
        click.echo(f"major  {f['set']}/{f['document']}  {f['check']}  '{f['text'][:60]}'  {f['message']}")


DEMO_ARTICLE = Path("examples/nordkorea-munition.de.txt")


@eval_group.command("segmentation")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--article", "articles", multiple=True, type=click.Path(path_type=Path),
              help="An article with a hand segmentation beside it (NAME.gold.jsonl); repeatable. "
                   "Default: the demo article, when run from the project folder.")
@_json_option
def eval_segmentation_command(directory, articles, json_path):
    """Sentence boundaries and unit kinds: hand-segmented articles, and German news
    sentences from DIRECTORY/contrastive joined into paragraphs and split again."""
    _require_folder(directory)
    from . import eval_segmentation

    if not articles and DEMO_ARTICLE.is_file():
        articles = (DEMO_ARTICLE,)
    figures = _measured(eval_segmentation, directory, list(articles))
    _print_figures("segmentation", figures, json_path)


@eval_group.command("spans")
@click.argument("directory", type=click.Path(path_type=Path))
@_json_option
@click.option("--llm-url", default=None, metavar="URL",
              help="Also ask the LLM at this OpenAI-compatible endpoint (as `check --llm-url` does; the key from "
                   "$MT_AUDIT_LLM_KEY or $OPENAI_API_KEY) to judge the lines of mqm-wmt23, and measure where the "
                   "spans of its own answers land.")
@click.option("--llm-model", default=None, metavar="NAME", help="The model the endpoint is asked for.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Ask about the first N lines only.")
@click.option("--record", "record_path", type=click.Path(path_type=Path),
              help="Write the LLM's answers here (JSON lines), to measure them again with --answers.")
@click.option("--answers", "answers_path", type=click.Path(path_type=Path),
              help="Measure answers recorded with --record instead of asking an endpoint.")
def eval_spans_command(directory, json_path, llm_url=None, llm_model=None, limit=None, record_path=None,
                       answers_path=None):
    """Where the LLM judge's error spans land: the expert annotators' error spans of
    DIRECTORY/mqm-wmt23, quoted in a GEMBA-MQM answer as an LLM quotes them, parsed and placed
    in the German as the judge does; the share placed at exactly the annotated words.  With
    --llm-url (or --answers), also the spans of a real LLM's own answers on those lines: placed
    where quoted, after folding, ambiguous or not there, and how they meet the annotations."""
    _require_folder(directory)
    from . import spans

    if llm_url and answers_path:
        _fail(AuditError("--llm-url asks an endpoint and --answers reads recorded answers: give one of them."))
    if record_path is not None and (record_path.resolve() == (answers_path.resolve() if answers_path else None)):
        _fail(AuditError("--record would overwrite the answers it reads; name another file."))
    import json

    figures = _measured(spans.span_placement, directory)
    record = dict(figures)
    _print_figures("LLM error spans placed in the German (expert spans of mqm-wmt23 quoted as an LLM quotes them)",
                   figures, None)
    if llm_url or answers_path:
        lines = _measured(spans.mqm_lines, directory, limit)
        if answers_path:
            answers = _measured(spans.read_answers, answers_path)
            who = next((a.get("model") for a in answers if a.get("model")), "recorded")
        else:
            from ..judge import JudgeUnavailable
            from ..judge.llm import LLMJudge

            try:
                judge = LLMJudge(llm_url, llm_model or "")
            except JudgeUnavailable as err:
                _fail(err)
            answers = _measured(spans.ask, judge, lines)
            who = judge.model_id
            click.echo("LLM: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in judge.cost().items()), err=True)
        if record_path is not None:
            from ..report import write_atomic

            write_atomic(record_path, "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers))
        own = {who: _measured(spans.answer_placement, lines, answers)}
        record["own answers"] = own
        _print_figures("the spans of the LLM's own answers on the lines of mqm-wmt23, placed as the judge places them",
                       own, None)
    if json_path is not None:
        from ..report import write_atomic

        write_atomic(json_path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")


@eval_group.command("all")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--json-dir", type=click.Path(path_type=Path), help="Write each evaluation's figures here as NAME.json.")
@click.pass_context
def eval_all_command(ctx, directory, json_dir):
    """Run every evaluation on DIRECTORY."""
    _require_folder(directory)
    def target(name):
        return json_dir / f"{name}.json" if json_dir else None

    ctx.invoke(eval_segmentation_command, directory=directory, articles=(), json_path=target("segmentation"))
    ctx.invoke(eval_contrastive_command, directory=directory, json_path=target("contrastive"), config_path=None)
    ctx.invoke(eval_mqm_command, directory=directory, json_path=target("mqm"), config_path=None, backend="none",
               model=None)
    ctx.invoke(eval_precision_command, directory=directory, json_path=target("precision"), config_path=None,
               backend="none", model=None)
    ctx.invoke(eval_drift_command, directory=directory, json_path=target("drift"), config_path=None, tune_path=None)
    ctx.invoke(eval_alignment_command, directory=directory, json_path=target("alignment"))
    ctx.invoke(eval_spans_command, directory=directory, json_path=target("spans"))


def _print_figures(title: str, figures: dict, json_path: Path | None, record: dict | None = None) -> None:
    """Print ``figures`` (row -> column -> value) as a table; write ``record`` (default:
    the figures) to ``json_path``."""
    import json

    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("")
    columns = list(dict.fromkeys(k for v in figures.values() for k in v))
    for column in columns:
        table.add_column(column, justify="right")
    def cell(value) -> str:
        if value is None:
            return ""
        return str(value) if isinstance(value, int) else f"{value:.4f}"

    for name, values in figures.items():
        table.add_row(name, *(cell(values.get(c)) for c in columns))
    Console().print(table)
    if json_path:
        from ..report import write_atomic

        write_atomic(Path(json_path), json.dumps(record or figures, indent=2, sort_keys=True) + "\n")
