"""``taut suggest`` and ``taut evaluate``: the suggestion engine on the command line (shared/eval/FORMAT.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from taut.cli.errors import boundary, emit_json, fail

if TYPE_CHECKING:
    import typer

    from taut.reasoning.result import Suggestion

METHODS = ("engine", "baseline")
# What a red flag's level asks of the therapist (knowledge.model.LEVELS).
LEVEL_ACTION = {
    "emergency": "EMERGENCY: call emergency services now",
    "urgent": "urgent: same-day medical review",
    "refer": "refer to a physician before any treatment",
}


def _run(method: str):  # type: ignore[no-untyped-def]
    if method == "engine":
        from taut.reasoning.engine import suggest

        return suggest
    from taut.reasoning.baseline import lookup

    return lookup


def register(app: typer.Typer) -> None:
    # typer reads the options from the annotations below, in this module's namespace: it is imported when the
    # commands are registered, not with the module (one case given plainly runs without typer: cli/quick.py)
    import typer

    globals()["typer"] = typer
    app.command("suggest")(suggest_cmd)
    app.command("evaluate")(evaluate_cmd)


@boundary
def suggest_cmd(
    pain: Annotated[
        list[str] | None,
        typer.Option(
            "--pain", "-p", help="TERM[:SIDE][:INTENSITY][:QUALITIES], e.g. 'temple:right:6'. Repeatable."
        ),
    ] = None,
    symptom: Annotated[
        list[str] | None,
        typer.Option(
            "--symptom", "-s", help="Symptom, aggravating movement, mechanism, red flag or caution."
        ),
    ] = None,
    age: Annotated[int | None, typer.Option(help="Age in years.")] = None,
    sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
    onset: Annotated[str | None, typer.Option(help="How the pain began: sudden or gradual.")] = None,
    duration_days: Annotated[
        int | None, typer.Option("--duration-days", help="How long the pain has lasted, in whole days.")
    ] = None,
    cases: Annotated[
        Path | None, typer.Option("--cases", help="A taut-cases/1 file: answer every case.")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Processes for a --cases file (default: 1 per core, at most 4)."),
    ] = None,
    method: Annotated[str, typer.Option(help="engine or baseline (the plain chart lookup).")] = "engine",
    json_: Annotated[bool, typer.Option("--json", help="Print JSON (FORMAT.md).")] = False,
    svg: Annotated[
        Path | None,
        typer.Option("--svg", help="Draw the pain drawing with the top candidates' zones (.svg/.png)."),
    ] = None,
    top: Annotated[int, typer.Option(help="How many muscles to show in the table.")] = 8,
) -> None:
    """Suggest the trigger points that explain a pain drawing, red flags first."""
    from taut.reasoning.case import case_from_specs

    if method not in METHODS:
        fail(f"--method must be engine or baseline, not {method!r}")
    run = _run(method)
    if cases is not None:
        if pain or symptom or onset is not None or duration_days is not None:
            fail("give either --cases FILE or --pain/--symptom/--onset/--duration-days, not both")
        _answer_cases(method, cases, json_, jobs)
        return
    if jobs is not None:
        fail("--jobs is for a --cases file; one case is answered in this process")
    if not pain:
        fail("paint at least one region with --pain (e.g. --pain 'temple:right:6'), or give --cases FILE")
    # bad words, sides, onset or duration: the error boundary says so
    case = case_from_specs(pain, symptom or [], age, sex, onset, duration_days)
    drawing = case.drawing
    result = run(case)
    if svg is not None:
        _draw(result, drawing, svg)
    if json_:
        emit_json(result.to_dict())
        return
    _print(result, top)


def _answer_cases(method: str, path: Path, json_: bool, jobs: int | None) -> None:
    """Every case of a case file, streamed as it is answered: compact JSON (FORMAT.md's ``{"results": [...]}``,
    one answer a line, written by ``Suggestion.to_json``) or one line per case. A large file is answered by one
    worker process per core (``cli/batch.py``), its progress shown on a terminal's stderr; nothing is kept once
    written, so memory does not grow with the answers. The file is checked whole first, so bad input prints
    nothing (the error boundary says what is wrong)."""
    import sys

    from taut.cli import batch
    from taut.reasoning.case import CaseFile

    if jobs is not None and jobs < 1:
        fail(f"--jobs must be at least 1, not {jobs}")
    all_cases = CaseFile(path)
    if method == "engine":
        from taut.reasoning.engine import suggest_many

        answer: batch.Answer = suggest_many
    else:
        run = _run(method)

        def answer(cases):  # type: ignore[no-untyped-def]
            return map(run, cases)

    out, first, finished = sys.stdout, True, False
    long = len(all_cases) >= batch.PARALLEL_FROM and sys.stderr.isatty()
    progress = batch.Progress(len(all_cases), sys.stderr) if long else None
    if json_:
        out.write('{"results":[')
    try:
        for block in batch.blocks(all_cases, answer, json_, batch.default_jobs() if jobs is None else jobs):
            if first and json_ and block:
                block = block[1:]  # the first answer follows the bracket, without a comma
                first = False
            out.write(block)
            if progress is not None:
                progress.advance(batch.BLOCK)
        if json_:
            out.write("\n]}\n")
        finished = True
    finally:
        if progress is not None:
            progress.end(finished)


def _print(s: Suggestion, top: int) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    con = Console()
    for f in s.red_flags:
        con.print(
            Panel(
                f"[bold]{f.name}[/bold] — {f.message}\n(because: {', '.join(f.because)})",
                title=f"RED FLAG: refer before treatment ({LEVEL_ACTION.get(f.level, f.level)})",
                style="bold red",
            )
        )
    for f in s.cautions:
        con.print(f"[yellow]Caution[/yellow] {f.name}: {f.message}")
    t = Table(title=f"Trigger points to examine ({s.method})", show_lines=True)
    t.add_column("#", justify="right")
    t.add_column("muscle (side)")
    t.add_column("score", justify="right")
    t.add_column("explains (E essential, S spillover)")
    t.add_column("also")
    for i, m in enumerate(s.ranking[:top], 1):
        exp = "; ".join(
            f"{e.region_name} {e.ref.rsplit(':', 1)[-1] if ':' in e.ref else ''} ({e.zone[0].upper()})".replace(
                "  ", " "
            )
            for e in m.explains
        )
        also = ", ".join(f"{x.term} ×{x.factor:.1f}" for x in m.support if x.kind != "prior")
        prior = next((x.term.replace("_", " ") for x in m.support if x.kind == "prior"), "")
        t.add_row(
            str(i),
            f"{m.muscle} ({m.side})\n[dim]{', '.join(m.trigger_points)}[/dim]",
            f"{m.score:.2f}",
            exp or "-",
            (also + ("\n" if also else "") + f"[dim]{prior}[/dim]") if prior else also,
        )
    con.print(t)
    if s.cover:
        con.print(
            "[bold]Together these explain the drawing:[/bold] "
            + "; ".join(f"{c.muscle} {c.side} ({c.trigger_point_name})" for c in s.cover)
        )
    if s.unexplained:
        con.print("[bold]Not explained by the suggestions:[/bold] " + ", ".join(s.unexplained))
    for e in s.entrapments:
        con.print(f"[bold]Possible entrapment:[/bold] {e.structure} by {e.muscle} ({', '.join(e.symptoms)})")
    if s.exam_order:
        con.print("[bold]Suggested examination order:[/bold] " + " → ".join(s.exam_order))
    con.print("[dim]A suggestion to guide examination, not a diagnosis.[/dim]")


ZONE_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")


def _draw(s: Suggestion, drawing: object, path: Path) -> None:
    """The pain drawing with the top three candidates' referral zones (the trigger points meant) over it:
    essential zones tinted, spillover zones hatched, one colour per muscle."""
    from taut.anatomy.drawing import pain_figure, write_figure
    from taut.anatomy.regions import Side
    from taut.knowledge import knowledge
    from taut.reasoning.zones import ESSENTIAL, place

    kb = knowledge()
    fig = pain_figure(drawing, title="Pain drawing and the top candidates' referral zones")  # type: ignore[arg-type]
    legend = []
    for colour, m in zip(ZONE_COLOURS, s.ranking[:3], strict=False):
        muscle = kb.muscles[m.muscle]
        sides = (Side.RIGHT, Side.LEFT) if m.side == "both" else (Side(m.side),)
        for tp in muscle.trigger_points:
            if tp.id not in m.trigger_points:
                continue
            for side in sides:
                for ref, zone in place(muscle, tp, side, local=False).zone.items():
                    fig.fill(ref, colour, opacity=0.35 if zone == ESSENTIAL else 0.6, hatch=zone != ESSENTIAL)
        legend.append((colour, f"{m.muscle} ({m.side})", False))
    legend.append(("#888888", "hatched: spillover zone", True))
    fig.legend(legend)
    try:
        write_figure(fig, path)
    except (OSError, ValueError) as e:
        fail(f"cannot write {path}: {e}")
    import typer

    typer.echo(f"wrote {path}", err=True)


def _per_case_table(raw: list[dict[str, Any]], answers_by: dict[str, dict[Any, Any]]) -> Any:
    from rich.table import Table

    pt = Table(title="Top 5 per case")
    for col in ("case", "expected", "engine", "baseline"):
        pt.add_column(col)
    for c in raw:
        wanted = ", ".join(c.get("expected", {}).get("muscles", [])[:4]) or (
            "RED FLAG" if c.get("expected", {}).get("red_flag") else ""
        )
        row = [c["id"], wanted]
        for method in METHODS:
            a = answers_by[method][c["id"]]
            row.append(("RF! " if a["red_flags"] else "") + ", ".join(m["muscle"] for m in a["ranking"][:5]))
        pt.add_row(*row)
    return pt


@boundary
def evaluate_cmd(
    file: Annotated[Path, typer.Argument(help="A taut-cases/1 file with expected answers.")],
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    per_case: Annotated[
        bool, typer.Option("--per-case", help="Show each case's top 5 for both methods.")
    ] = False,
) -> None:
    """Run the engine and the baseline on a case file and print the scorer's figures side by side."""
    import json

    from taut.reasoning.case import read_case_file
    from taut.reasoning.evaluate import score

    cases = read_case_file(file)  # a bad file: the error boundary says what is wrong
    raw = json.loads(file.read_text(encoding="utf-8"))["cases"]
    figures = {}
    answers_by = {}
    for method in METHODS:
        run = _run(method)
        answers = {c.id: run(c).to_dict() for c in cases}
        answers_by[method] = answers
        figures[method] = score(raw, answers).as_dict()  # type: ignore[arg-type]
    if json_:
        emit_json(figures)
        return
    _print_figures(file.name, raw, answers_by, figures, per_case)


def _print_figures(name: str, raw: list, answers_by: dict, figures: dict, per_case: bool) -> None:  # type: ignore[type-arg]
    from rich.console import Console
    from rich.table import Table

    con = Console()
    if per_case:
        con.print(_per_case_table(raw, answers_by))
    t = Table(title=f"{name}: {len(raw)} cases")
    t.add_column("metric")
    t.add_column("engine", justify="right")
    t.add_column("baseline", justify="right")
    for k in ("hit@1", "hit@3", "recall@5", "mrr", "redflag_sens", "redflag_spec"):
        t.add_row(k, f"{figures['engine'][k]:.3f}", f"{figures['baseline'][k]:.3f}")
    con.print(t)
    for method in METHODS:
        line = " ".join(
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures[method].items()
        )
        typer.echo(f"{method}: {line}")
