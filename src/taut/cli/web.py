"""``taut serve``: the web app (FastAPI under uvicorn). With ``--demo`` the database is migrated, filled with
a demo clinic when it has none, and the demo login (a fresh password each start) is printed."""

from __future__ import annotations

from typing import Annotated

import typer

from taut.cli.context import database
from taut.cli.errors import boundary


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@boundary
def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", min=1, max=65535, help="Port (default 8000).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="Migrate, add a demo clinic if there is none, print its login.")
    ] = False,
    demo_clients: Annotated[
        int, typer.Option("--demo-clients", min=1, max=100_000, help="Clients in a new demo clinic.")
    ] = 40,
) -> None:
    """Start the web app for therapists (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from taut.settings import Settings
    from taut.store import migrate

    settings = Settings()
    host = host or settings.host
    port = port or settings.port
    if settings.data_dir is not None:
        from taut.store.files import private_dir

        private_dir(settings.data_dir)
    db = database()
    migrate.upgrade(db.engine)
    if demo:
        _demo(db, demo_clients)
    db.dispose()
    typer.echo(f"Taut is running at http://{host}:{port}  (Ctrl+C stops it)")
    uvicorn.run(
        "taut.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,  # not shown at "warning" anyway; off, no request formats its line for nothing
        # X-Forwarded-For/-Proto are believed only from TAUT_TRUSTED_PROXIES (e.g. the Caddy container).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


def _demo(db: object, clients: int) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from taut.services.demo import DEMO_EMAIL, seed_demo
    from taut.store import people
    from taut.store.engine import Database

    assert isinstance(db, Database)
    with db.transaction() as conn:
        exists = people.user_by_email(conn, DEMO_EMAIL) is not None
    if exists:
        login = seed_demo(db, clients=0)  # a fresh password for the existing demo clinic
    else:
        with Progress(TextColumn("adding demo clients"), BarColumn(), MofNCompleteColumn()) as bar:
            task = bar.add_task("clients", total=clients)
            login = seed_demo(db, clients=clients, progress=lambda n: bar.advance(task, n))
    typer.echo("")
    typer.echo(f"  Demo login  e-mail: {login.email}   password: {login.password}")
    typer.echo("")
