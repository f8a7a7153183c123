"""Clinical-records commands: ``taut db upgrade|downgrade|current``, ``taut demo``, ``taut clients list``,
``taut backup`` and ``taut restore``. The database comes from the settings (TAUT_DATABASE_URL, or the SQLite
file TAUT_DATABASE_PATH, default var/taut.sqlite3)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from taut.cli.context import acting_user, database
from taut.cli.errors import boundary, emit_json

db_app = typer.Typer(help="The records database: migrations.", no_args_is_help=True)
clients_app = typer.Typer(help="Clients of a clinic.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(clients_app, name="clients")
    app.command("demo")(demo)
    app.command("backup")(backup)
    app.command("restore")(restore)


@db_app.command("upgrade")
@boundary
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or migrate the database schema to the latest (or the given) revision."""
    from taut.store import migrate

    db = database()
    migrate.upgrade(db.engine, revision)
    typer.echo(
        f"database at revision {migrate.current_revision(db.engine)} ({db.engine.url.render_as_string()})"
    )


@db_app.command("downgrade")
@boundary
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. base or -1.")]) -> None:
    """Migrate the schema back to REVISION ("base" removes every table)."""
    from taut.store import migrate

    db = database()
    migrate.downgrade(db.engine, revision)
    typer.echo(f"database at revision {migrate.current_revision(db.engine) or 'base'}")


@db_app.command("current")
@boundary
def db_current() -> None:
    """Print the schema revision of the database and the latest one."""
    from taut.store import migrate

    db = database()
    typer.echo(f"current {migrate.current_revision(db.engine) or 'none'}, head {migrate.head_revision()}")


@boundary
def demo(
    clients: Annotated[
        int, typer.Option("--clients", min=1, max=1_000_000, help="How many demo clients to add.")
    ] = 200,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed, for a repeatable data set.")
    ] = None,
) -> None:
    """Fill a demo clinic with realistic clients, intakes, assessments, plans and sessions over months."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from taut.services.demo import seed_demo
    from taut.store import migrate

    db = database()
    migrate.upgrade(db.engine)
    with Progress(
        TextColumn("seeding demo clients"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task("clients", total=clients)
        login = seed_demo(db, clients=clients, seed=seed, progress=lambda n: bar.advance(task, n))
    typer.echo(f"added {login.clients} clients, {login.sessions} sessions, {login.holds} holds")
    typer.echo(f"demo login: {login.email}  password: {login.password}")


@clients_app.command("follow-up")
@boundary
def clients_follow_up(
    client_id: Annotated[int, typer.Argument(help="The client's id.", min=1)],
    on: Annotated[
        bool,
        typer.Option(
            "--on/--off",
            help="--off: the client opted out of the check-ins and questionnaires sent by themselves; --on: "
            "send them again.",
        ),
    ],
    as_: Annotated[
        str | None, typer.Option("--as", help="The user who changes it (default: the only owner).")
    ] = None,
) -> None:
    """Whether the client gets the 48-hour check-in and the reassessment questionnaires by e-mail by themselves."""
    from taut.services import follow_up

    db = database()
    user = acting_user(db, as_)
    follow_up.set_opt_out(db, user, client_id, not on)
    typer.echo(f"client {client_id}: follow-up links {'on' if on else 'off (opted out)'}")


@clients_app.command("list")
@boundary
def clients_list(
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_: Annotated[
        str | None, typer.Option("--as", help="The user who reads (default: the only owner).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
) -> None:
    """List the clients of the acting user's clinic (the read is audited)."""
    from taut.services import clients

    db = database()
    user = acting_user(db, as_)
    page = clients.list_clients(db, user, limit=limit, offset=offset)
    rows = [
        {
            "id": c.id,
            "name": c.full_name,
            "date_of_birth": c.date_of_birth.isoformat(),
            "sex": c.sex,
            "email": c.email,
            "phone": c.phone,
            "consent_treatment_on": c.consent.treatment_on.isoformat() if c.consent.treatment_on else None,
        }
        for c in page.items
    ]
    if json_:
        emit_json({"total": page.total, "more": page.more, "offset": offset, "items": rows})
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Clients {offset + 1}-{offset + len(rows)} of {page.total}{'+' if page.more else ''}")
    for col in ("id", "name", "born", "phone", "e-mail", "consent"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            str(r["id"]),
            str(r["name"]),
            str(r["date_of_birth"]),
            str(r["phone"] or ""),
            str(r["email"] or ""),
            str(r["consent_treatment_on"] or "-"),
        )
    Console().print(t)


@boundary
def backup(
    target: Annotated[
        list[str] | None,
        typer.Argument(
            help="FILE: write the backup there. `verify FILE`: check a backup. None: a dated backup in the "
            "backup folder (TAUT_BACKUP_DIR, default <data dir>/backups).",
            metavar="[FILE | verify FILE]",
        ),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", min=1, help="Keep only the newest N dated backups in the backup folder."),
    ] = None,
) -> None:
    """Back up the whole database (SQLite online backup, or pg_dump for PostgreSQL) with a manifest of row
    counts; `taut backup verify FILE` restores a backup into a scratch database and checks it."""
    from taut.settings import Settings
    from taut.store import backup as store_backup

    args = target or []
    if args and args[0] == "verify":
        if len(args) != 2:
            raise store_backup.BackupError("say which file to check: taut backup verify FILE")
        checked = store_backup.verify(database().engine, Path(args[1]))
        rows = sum(checked.counts.values())
        against = "match its manifest" if checked.manifest else "(no manifest to compare with)"
        typer.echo(
            f"{checked.path} is a sound Taut backup ({checked.kind}, schema {checked.revision}): "
            f"{rows} rows in {len(checked.counts)} tables {against}"
        )
        return
    if len(args) > 1:
        raise store_backup.BackupError("give one backup file (or none for a dated one)")
    db = database()
    if args:
        if keep is not None:
            raise store_backup.BackupError("--keep works on the backup folder: leave out FILE")
        written = store_backup.backup(db.engine, Path(args[0]))
        removed: list[Path] = []
    else:
        written, removed = store_backup.backup_into(db.engine, Settings().backups, keep)
    typer.echo(f"backup written to {written}")
    if removed:
        typer.echo(f"removed {len(removed)} older backup(s), keeping the newest {keep}")


@boundary
def restore(path: Annotated[Path, typer.Argument(help="A file written by `taut backup`.")]) -> None:
    """Replace the database with a Taut backup after checking it in a scratch database; the replaced
    database is kept as a dated copy in the backup folder. Refuses any other file."""
    from taut.settings import Settings
    from taut.store import backup as store_backup

    db = database()
    revision, kept = store_backup.restore(db.engine, path, Settings().backups)
    typer.echo(f"restored {path}; database at revision {revision}; the replaced database is kept in {kept}")
