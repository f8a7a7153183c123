"""``taut muscles``, ``taut muscle``, ``taut conditions``, ``taut condition``: the knowledge base on the command line.

Every fact is shown with the sources it comes from; ``taut muscles --check [PATH]`` validates the data files and
prints each problem as file:line; ``taut muscle NAME -o pattern.png`` draws the trigger points and their referral
zones on the body map.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from taut.cli.errors import boundary, emit_json, fail

if TYPE_CHECKING:
    from taut.anatomy.drawing import Figure
    from taut.anatomy.regions import RegionRef, Side
    from taut.knowledge import KnowledgeBase
    from taut.knowledge.model import Condition, Muscle, Sourced

TITLE_CHAR_WIDTH = 13.0  # about the width of one character of the figure title, in figure units

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    app.command("muscles")(muscles_cmd)
    app.command("muscle")(muscle_cmd)
    app.command("conditions")(conditions_cmd)
    app.command("condition")(condition_cmd)


# --- loading ------------------------------------------------------------------------------------------------------


def _kb() -> KnowledgeBase:
    """The packaged knowledge base; if its files are broken, one line that says how to see the problems."""
    from taut.knowledge import KnowledgeError, knowledge

    try:
        return knowledge()
    except KnowledgeError as e:
        fail(f"the knowledge base has {len(e.problems)} problem(s); run `taut muscles --check` to list them")


def _lookup(kind: str, name: str) -> Any:
    kb = _kb()
    try:
        return kb.muscle(name) if kind == "muscle" else kb.condition(name)
    except LookupError as e:
        fail(str(e.args[0]) if e.args else str(e))


def _region_name(rid: str) -> str:
    from taut.clinic.naming import region_name

    return region_name(rid)


def _cite(refs: tuple[str, ...]) -> str:
    """``simons1999:ch. 6`` -> ``Simons et al. 1999, ch. 6``, joined with semicolons (from the bibliography)."""
    from taut.clinic.naming import source_line

    return source_line(refs)


def _source_keys(groups: list[Sourced | tuple[str, ...]]) -> list[str]:
    from taut.knowledge.citations import source_keys

    return source_keys(groups)


def _muscle_groups(m: Muscle) -> list[Sourced | tuple[str, ...]]:
    from taut.knowledge.citations import muscle_groups

    return muscle_groups(m)


# --- taut muscles -------------------------------------------------------------------------------------------------


@boundary
def muscles_cmd(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="With --check: a data directory with the packaged layout (default: the packaged data)."
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the data files; print each problem as file:line.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """List every muscle (body part, trigger points, involvement), or check the data files with --check."""
    if check:
        _check(path, json_)
        return
    if path is not None:
        fail("a PATH is only taken with --check (taut muscles --check PATH)")
    kb = _kb()
    rows = [
        {
            "name": m.name,
            "body_part": m.body_part,
            "aliases": list(m.aliases),
            "trigger_points": len(m.trigger_points),
            "involvement": m.involvement.frequency,
            "file": kb.files.get(m.name),
        }
        for m in _head_to_toe(kb)
    ]
    if json_:
        emit_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Muscles: {len(rows)} (taut muscle NAME for the whole record)")
    t.add_column("muscle")
    t.add_column("body part")
    t.add_column("TrPs", justify="right")
    t.add_column("involvement")
    for row in rows:
        t.add_row(
            str(row["name"]), str(row["body_part"]), str(row["trigger_points"]), _words(row["involvement"])
        )
    Console().print(t)


def _head_to_toe(kb: KnowledgeBase) -> list[Muscle]:
    """Muscles in the order of muscle_names.yaml (head to toe); any others after them, by name."""
    order = {name: i for i, name in enumerate(kb.canonical)}
    return sorted(kb.muscles.values(), key=lambda m: (order.get(m.name, len(order)), m.name))


def _words(s: object) -> str:
    return str(s).replace("_", " ")


def _check(path: Path | None, json_: bool) -> None:
    from taut.knowledge import KnowledgeError, load

    if path is not None:
        if not path.is_dir():
            fail(f"{path} is not a directory (expected a data directory with muscles/, conditions.yaml, ...)")
        if not (path / "muscle_names.yaml").is_file():
            fail(f"{path} has no muscle_names.yaml: is it a knowledge data directory?")
    try:
        kb = load(root=path)
    except KnowledgeError as e:
        if json_:
            emit_json(
                {
                    "ok": False,
                    "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in e.problems],
                }
            )
        else:
            for p in e.problems:
                typer.echo(str(p))
            typer.echo(f"{len(e.problems)} problem(s)", err=True)
        raise typer.Exit(1) from None
    tps = sum(len(m.trigger_points) for m in kb.muscles.values())
    if json_:
        emit_json(
            {
                "ok": True,
                "problems": [],
                "muscles": len(kb.muscles),
                "trigger_points": tps,
                "conditions": len(kb.conditions),
                "rules": len(kb.rules),
                "sources": len(kb.sources),
            }
        )
        return
    typer.echo(
        f"ok: {len(kb.muscles)} muscles, {tps} trigger points, {len(kb.conditions)} conditions, "
        f"{len(kb.rules)} red flags and cautions, {len(kb.sources)} sources"
    )


# --- taut muscle NAME ---------------------------------------------------------------------------------------------


@boundary
def muscle_cmd(
    name: Annotated[
        str, typer.Argument(help="Canonical name, alias or slug, e.g. 'upper trapezius', 'SCM'.")
    ],
    json_: JsonOpt = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Draw the trigger points and referral zones (.svg or .png)."),
    ] = None,
    side: Annotated[str, typer.Option("--side", help="The patient's side to draw: left or right.")] = "right",
) -> None:
    """The whole record of one muscle, with its sources; -o draws its referral pattern."""
    from taut.anatomy.regions import Side

    try:
        drawn_side = Side(side.strip().lower())
    except ValueError:
        fail(f"--side must be left or right, not {side!r}")
    m: Muscle = _lookup("muscle", name)
    kb = _kb()
    if output is not None:
        _write_picture(m, drawn_side, output)
    if json_:
        emit_json(_muscle_json(kb, m))
        return
    _print_muscle(kb, m)


def _muscle_json(kb: KnowledgeBase, m: Muscle) -> dict[str, Any]:
    data = m.as_json()
    data["slug"] = m.slug
    data["file"] = kb.files.get(m.name)
    for tp in data["trigger_points"]:
        tp["essential_names"] = [_region_name(r) for r in tp["essential"]]
        tp["spillover_names"] = [_region_name(r) for r in tp["spillover"]]
    data["citations"] = {
        k: kb.sources[k].citation for k in _source_keys(_muscle_groups(m)) if k in kb.sources
    }
    return data


def _print_muscle(kb: KnowledgeBase, m: Muscle) -> None:
    from rich.console import Console

    out = _MuscleSheet(Console(), kb, m)
    out.header()
    out.trigger_points()
    out.groups()
    out.entrapments()
    out.relations()
    out.examination()
    out.treatment()
    out.sources()


class _MuscleSheet:
    """``taut muscle NAME``: one muscle printed section by section, each fact with its sources."""

    def __init__(self, con: Any, kb: KnowledgeBase, m: Muscle) -> None:
        from rich.markup import escape

        self.con, self.kb, self.m, self.esc = con, kb, m, escape

    def src(self, g: Sourced | tuple[str, ...]) -> str:
        refs = g if isinstance(g, tuple) else g.sources
        extra = ""
        if not isinstance(g, tuple) and g.confidence != "high":
            extra = f", confidence {g.confidence}"
        return f" [dim]({self.esc(_cite(refs))}{extra})[/dim]"

    def note(self, g: Sourced) -> None:
        if g.note:
            self.con.print(f"    [italic]{self.esc(g.note)}[/italic]")

    def heading(self, text: str) -> None:
        self.con.print(f"\n[bold underline]{text}[/bold underline]")

    def header(self) -> None:
        from rich.panel import Panel

        from taut.clinic.naming import capital

        m, esc = self.m, self.esc
        head = f"[bold]{esc(capital(m.name))}[/bold] — {esc(m.body_part)}"
        if m.aliases:
            head += f"\n[dim]also: {esc(', '.join(m.aliases))}[/dim]"
        head += f"\nInvolvement: {_words(m.involvement.frequency)}{self.src(m.involvement)}"
        if m.involvement.note:
            head += f"\n[italic]{esc(m.involvement.note)}[/italic]"
        self.con.print(Panel(head, expand=False))
        self.con.print(f"[bold]Action:[/bold] {esc(m.action)}")
        self.con.print(f"[bold]Innervation:[/bold] {esc(m.innervation)}{self.src(m.anatomy_sources)}")

    def trigger_points(self) -> None:
        con, esc = self.con, self.esc
        self.heading(f"Trigger points ({len(self.m.trigger_points)})")
        for tp in self.m.trigger_points:
            con.print(f"[bold]{esc(tp.name)}[/bold] [dim]{tp.id}[/dim]{self.src(tp)}")
            con.print(f"    Location: {esc(tp.location)}")
            essential = ", ".join(_region_name(r) for r in tp.essential)
            con.print(f"    [red bold]Essential zone:[/red bold] {esc(essential)}")
            if tp.spillover:
                con.print(
                    f"    [red]Spillover zone:[/red] {esc(', '.join(_region_name(r) for r in tp.spillover))}"
                )
            con.print(f"    Laterality: {_words(tp.laterality)}")
            self.note(tp)

    def groups(self) -> None:
        m, con, esc = self.m, self.con, self.esc
        for label, group in (
            ("Symptoms", m.symptoms),
            ("Aggravated by", m.aggravators),
            ("Mechanisms", m.mechanisms),
        ):
            if group is not None:
                con.print(f"\n[bold]{label}:[/bold] {esc(', '.join(group.terms))}{self.src(group)}")
                self.note(group)
        for label, tgroup in (
            ("Perpetuating factors", m.perpetuating_factors),
            ("Restricted motion", m.restricted_motion),
        ):
            if tgroup is not None:
                con.print(f"\n[bold]{label}:[/bold]{self.src(tgroup)}")
                for item in tgroup.items:
                    con.print(f"  • {esc(item)}")
                self.note(tgroup)

    def entrapments(self) -> None:
        if not self.m.entrapments:
            return
        esc = self.esc
        self.heading("Entrapments")
        for ent in self.m.entrapments:
            where = f" — felt at {', '.join(_region_name(r) for r in ent.regions)}" if ent.regions else ""
            symptoms = ", ".join(ent.symptoms)
            self.con.print(f"  • {esc(ent.structure)}: {esc(symptoms)}{esc(where)}{self.src(ent)}")
            if ent.note:
                self.con.print(f"    [italic]{esc(ent.note)}[/italic]")

    def relations(self) -> None:
        rel = self.m.relations
        if rel is None or not (rel.satellites or rel.key_muscles):
            return
        self.heading("Relations")
        if rel.satellites:
            self.con.print(f"  Satellite TrPs develop in: {self.esc(', '.join(rel.satellites))}")
        if rel.key_muscles:
            keys = self.esc(", ".join(rel.key_muscles))
            self.con.print(f"  Key muscles (their TrPs induce satellites here): {keys}")
        self.con.print(f"  {self.src(rel).strip()}")
        self.note(rel)

    def examination(self) -> None:
        self.heading("Examination")
        ex = self.m.examination
        self.con.print(f"  Position: {self.esc(ex.position)}")
        self.con.print(f"  Palpation: {ex.palpation}{self.src(ex)}")
        if ex.notes:
            self.con.print(f"  {self.esc(ex.notes)}")

    def treatment(self) -> None:
        from taut.clinic.naming import technique_name

        con, esc, kb = self.con, self.esc, self.kb
        self.heading("Treatment")
        tr = self.m.treatment
        names = [technique_name(t, kb) for t in tr.techniques]
        con.print(f"  Techniques: {esc(', '.join(names))}{self.src(tr)}")
        for c in tr.cautions:
            con.print(f"  [yellow]Caution:[/yellow] {esc(c)}")
        con.print(f"  Self-care stretch: {esc(tr.self_care.stretch)}")
        if tr.self_care.pressure:
            con.print(f"  Self-care pressure: {esc(tr.self_care.pressure)}")
        self.note(tr)
        if self.m.confidence_note:
            con.print(f"\n[italic]{esc(self.m.confidence_note)}[/italic]")

    def sources(self) -> None:
        from taut.clinic.naming import citation_short

        self.heading("Sources")
        for key in _source_keys(_muscle_groups(self.m)):
            s = self.kb.sources.get(key)
            self.con.print(
                f"  [bold]{self.esc(citation_short(key, kb=self.kb))}[/bold] ({s.kind}): {self.esc(s.citation)}"
                if s
                else "  (a source not in the bibliography)"
            )
        self.con.print(f"[dim]Data file: {self.kb.files.get(self.m.name, '?')}[/dim]")


# --- the picture --------------------------------------------------------------------------------------------------


def muscle_zone(muscle: Muscle, side: Side) -> dict[RegionRef, str]:
    from taut.reasoning.pictures import muscle_zone as zone_of

    return zone_of(muscle, side)


def muscle_figure(muscle: Muscle, side: Side) -> Figure:
    """The muscle's trigger points and referral zones (``taut.reasoning.pictures.muscle_figure``) with a title
    that fits the figure's width."""
    from taut.clinic.naming import capital
    from taut.reasoning.pictures import muscle_figure as figure_of

    fig = figure_of(muscle, side)
    name = capital(muscle.name)
    titles = (
        f"{name}: trigger points and referred pain, patient's {side.value} side",
        f"{name}, patient's {side.value} side",
    )
    views = tuple(fig.views)
    if not any(_fits(t, fig) for t in titles) and len(views) == 1:
        # too narrow for its title: add a view, which also orients the reader (the face is on the front view)
        fig = figure_of(muscle, side, views=("front", "side") if views == ("side",) else ("front", "back"))
    fig.title(next((t for t in titles if _fits(t, fig)), titles[-1]))
    return fig


def _fits(title: str, fig: Figure) -> bool:
    width, _ = fig.size()
    return len(title) * TITLE_CHAR_WIDTH < width - 48


def _spread(muscle: Muscle, side: Side) -> list[tuple[float, float]]:
    from taut.reasoning.pictures import spread

    return spread(muscle, side)


def _write_picture(m: Muscle, side: Side, path: Path) -> None:
    if path.suffix.lower() not in (".svg", ".png"):
        fail(f"-o must name a .svg or .png file, not {path.name!r}")
    from taut.anatomy.drawing import write_figure

    fig = muscle_figure(m, side)
    try:
        write_figure(fig, path)
    except (OSError, ValueError) as e:
        fail(f"cannot write {path}: {e}")
    typer.echo(f"wrote {path}", err=True)


# --- conditions ---------------------------------------------------------------------------------------------------


@boundary
def conditions_cmd(json_: JsonOpt = False) -> None:
    """List the conditions with the muscles to examine for each."""
    kb = _kb()
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "aliases": list(c.aliases),
            "muscles": [s.muscle for s in c.examine],
            "red_flags": list(c.red_flags),
        }
        for c in kb.conditions.values()
    ]
    if json_:
        emit_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Conditions: {len(rows)} (taut condition NAME for the whole entry)")
    t.add_column("condition [dim](id)[/dim]")
    t.add_column("muscles to examine first")
    t.add_column("red flags", justify="right")
    for row in rows:
        ms = row["muscles"]
        assert isinstance(ms, list)
        first = ", ".join(ms[:3]) + (f" +{len(ms) - 3}" if len(ms) > 3 else "")
        t.add_row(f"{row['name']}\n[dim]{row['id']}[/dim]", first, str(len(row["red_flags"])))
    Console().print(t)


@boundary
def condition_cmd(
    name: Annotated[str, typer.Argument(help="Name, id or alias, e.g. 'sciatica', 'TMD', 'tennis elbow'.")],
    json_: JsonOpt = False,
) -> None:
    """One condition: the muscles to examine in order, entrapment sites, red flags, differential, sources."""
    c: Condition = _lookup("condition", name)
    kb = _kb()
    if json_:
        emit_json(_condition_json(kb, c))
        return
    _print_condition(kb, c)


def _condition_json(kb: KnowledgeBase, c: Condition) -> dict[str, Any]:
    data = c.as_json()
    data["red_flags"] = [
        {
            "id": rid,
            "name": kb.rules[rid].name if rid in kb.rules else None,
            "kind": kb.rules[rid].kind if rid in kb.rules else None,
            "message": kb.rules[rid].message if rid in kb.rules else None,
            "action": kb.rules[rid].action if rid in kb.rules else None,
        }
        for rid in c.red_flags
    ]
    data["citations"] = {k: kb.sources[k].citation for k in _source_keys([c]) if k in kb.sources}
    return data


def _print_condition(kb: KnowledgeBase, c: Condition) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel

    from taut.clinic.naming import citation_short

    con = Console()
    head = f"[bold]{escape(c.name)}[/bold] [dim]({c.id})[/dim]"
    if c.aliases:
        head += f"\n[dim]also: {escape(', '.join(c.aliases))}[/dim]"
    head += f"\n{escape(c.summary)}"
    con.print(Panel(head, expand=False))
    if c.red_flags:
        con.print("\n[bold red]Rule out first (red flags: refer before treatment)[/bold red]")
        for rid in c.red_flags:
            r = kb.rules.get(rid)
            if r is None:
                con.print(f"  • {rid}")
                continue
            con.print(
                f"  • [bold]{escape(r.name)}[/bold]: {escape(r.message)} [dim]({_words(r.action)})[/dim]"
            )
    con.print("\n[bold underline]Muscles to examine, in order[/bold underline]")
    for i, step in enumerate(c.examine, 1):
        line = f"  {i:>2}. [bold]{escape(step.muscle)}[/bold]"
        if step.prevalence is not None:
            line += f" — TrPs in {step.prevalence:.0%} of patients"
        if step.why:
            line += f" [dim]— {escape(step.why)}[/dim]"
        con.print(line)
    if c.entrapment_sites:
        con.print("\n[bold underline]Entrapment sites[/bold underline]")
        for e in c.entrapment_sites:
            con.print(f"  • {escape(e)}")
    con.print("\n[bold underline]Differential (consider and refer as needed)[/bold underline]")
    for d in c.differential:
        con.print(f"  • {escape(d)}")
    if c.note:
        con.print(f"\n[italic]{escape(c.note)}[/italic]")
    con.print(f"\n[bold underline]Sources[/bold underline] [dim](confidence {c.confidence})[/dim]")
    for ref in c.sources:
        key, _, loc = ref.partition(":")
        s = kb.sources.get(key.strip())
        where = f", {loc.strip()}" if loc else ""
        con.print(
            f"  [bold]{escape(citation_short(key.strip(), kb=kb))}[/bold]{escape(where)}: "
            f"{escape(s.citation) if s else '(a source not in the bibliography)'}"
        )
    con.print("[dim]A guide to examination, not a diagnosis.[/dim]")
