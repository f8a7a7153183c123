"""``taut regions``: list, resolve and crosswalk the body-map regions."""

from __future__ import annotations

from typing import Annotated

import typer

from taut.cli.errors import boundary, emit_json

app = typer.Typer(help="The coded body map: regions, terms and the CHOIR crosswalk.", no_args_is_help=True)


@app.command("list")
@boundary
def list_regions(json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every body-map region with its hierarchy, views and codes."""
    from taut.anatomy import body_map
    from taut.anatomy.crosswalk import choir_codes

    bm = body_map()
    rows = []
    for r in bm:
        rows.append(
            {
                "id": r.id,
                "name": r.name,
                "sided": r.sided,
                "part": r.part,
                "area": r.area,
                "views": list(r.views),
                "choir": {s.value if s else "midline": c for s, c in choir_codes(r.id).items()},
                "snomed": r.snomed,
                "snomed_broader": r.snomed_broader,
                "wpi": r.wpi,
            }
        )
    if json_:
        emit_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Body map: {len(rows)} regions (sides are the patient's)")
    for col in ("id", "name", "sides", "part / area", "views", "CHOIR", "SNOMED CT"):
        t.add_column(col)
    for row in rows:
        choir = row["choir"]
        assert isinstance(choir, dict)
        t.add_row(
            str(row["id"]),
            str(row["name"]),
            "L / R" if row["sided"] else "midline",
            f"{row['part']} / {row['area']}",
            ", ".join(row["views"]),  # type: ignore[arg-type]
            " ".join(
                f"{k[0].upper()}{v}" if k != "midline" else "/".join(map(str, v)) for k, v in choir.items()
            ),
            f"{row['snomed'] or '-'}{' (broader)' if row['snomed_broader'] else ''}",
        )
    Console().print(t)


@app.command("resolve")
@boundary
def resolve_term(
    term: Annotated[str, typer.Argument(help="Words for a place on the body, e.g. 'back of neck'.")],
    side: Annotated[str | None, typer.Option("--side", help="left, right or both (the patient's).")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Resolve a term (and side) to body-map regions."""
    from taut.anatomy import body_map, resolve

    refs = resolve(term, side)
    bm = body_map()
    rows = [
        {"id": r.region, "side": r.side.value if r.side else None, "name": bm[r.region].name} for r in refs
    ]
    if json_:
        emit_json(rows)
        return
    for row in rows:
        side_txt = f" ({row['side']})" if row["side"] else " (midline)"
        typer.echo(f"{row['id']}{side_txt}  {row['name']}")


@app.command("choir")
@boundary
def choir(json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The CHOIR Body Map crosswalk: every CHOIR code with the Taut regions in it."""
    from taut.anatomy.crosswalk import choir_table

    table = choir_table()
    if json_:
        emit_json(table)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title="CHOIR Body Map codes (74) and Taut regions")
    for col in ("code", "label", "side", "Taut regions"):
        t.add_column(col)
    for row in table:
        t.add_row(str(row["code"]), str(row["label"]), str(row["side"]), ", ".join(row["regions"]))  # type: ignore[arg-type]
    Console().print(t)
