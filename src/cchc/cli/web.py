"""``cchc serve``, ``cchc demo``, ``cchc backup``, ``cchc restore``: the web application from the command line.

``serve`` migrates the database and serves on 127.0.0.1:8000 (SQLite in ``CCHC_DATA_DIR``, or PostgreSQL
with ``DATABASE_URL``). ``demo`` seeds a demo province into a fresh data directory and serves it.
For production use gunicorn behind nginx (docs/production.md).
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def setup_django(data_dir: Path | None = None, migrate: bool = False) -> None:
    """Start Django with the web application's settings, for commands that read or write its database.

    ``data_dir`` sets ``CCHC_DATA_DIR`` first (SQLite, evidence, dossier store); ``migrate=True`` then brings the
    schema up to date (an empty data directory becomes a database without data, not an error). Commands run
    from cron leave ``migrate`` off: they should not upgrade a schema."""
    if data_dir is not None:
        os.environ["CCHC_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.web.settings")
    import django

    django.setup()
    if migrate:
        _migrate()


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _allow_host(host: str) -> None:
    hosts = os.environ.get("CCHC_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
    if host not in hosts.split(",") and host not in ("0.0.0.0", "::"):
        os.environ["CCHC_ALLOWED_HOSTS"] = f"{hosts},{host}"
    elif host in ("0.0.0.0", "::"):
        os.environ["CCHC_ALLOWED_HOSTS"] = "*"


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _run(host: str, port: int) -> None:
    from django.core.management import call_command

    addr = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    typer.echo(f"cchc: http://{addr}/  (Ctrl+C để dừng / to stop)")
    call_command("runserver", addr, use_reloader=False, use_threading=True, skip_checks=True)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    demo: bool = typer.Option(False, "--demo", help="Same as `cchc demo`: seed and serve the demo province."),
    allow_public: bool = typer.Option(False, "--allow-public", help="Allow --demo on a non-loopback address."),
    no_run: bool = typer.Option(False, "--no-run", help="Migrate (and seed) only; do not serve."),
) -> None:
    """Migrate the database and serve the web application (SQLite in CCHC_DATA_DIR, or DATABASE_URL)."""
    if demo:
        _demo(host, port, allow_public, no_run)
        return
    _allow_host(host)
    setup_django(migrate=True)
    if not no_run:
        _run(host, port)


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback unless --allow-public)."),
    port: int = typer.Option(8000, help="Port."),
    allow_public: bool = typer.Option(False, "--allow-public", help="Serve the demo on a non-loopback address."),
    no_run: bool = typer.Option(False, "--no-run", help="Seed only; do not serve."),
) -> None:
    """Seed a demo province (≈20 departments, 60 communes, last year published, this year in progress) and serve.

    Without CCHC_DATA_DIR or DATABASE_URL the demo uses its own data directory (~/.local/share/cchc-demo), so
    it never mixes with real data."""
    _demo(host, port, allow_public, no_run)


def _demo(host: str, port: int, allow_public: bool, no_run: bool) -> None:
    if not is_loopback(host) and not allow_public:
        typer.echo(
            f"cchc demo: refusing to serve demo accounts with a shared password on {host}; "
            "use 127.0.0.1, or add --allow-public if you really mean it.",
            err=True,
        )
        raise typer.Exit(2)
    if not os.environ.get("CCHC_DATA_DIR") and not os.environ.get("DATABASE_URL"):
        os.environ["CCHC_DATA_DIR"] = str(Path.home() / ".local" / "share" / "cchc-demo")
    _allow_host(host)
    setup_django(migrate=True)
    from cchc.web.assessments.models import Cycle
    from cchc.web.demo import DEMO_PASSWORD, USERS, seed

    if Cycle.objects.exists():
        typer.echo("cchc demo: the database already has data; serving it as it is (demo not re-seeded).")
    else:
        summary = seed()
        typer.echo(f"cchc demo: {summary['units']} units, {len(summary['cycles'])} cycles, "
                   f"{summary['evidence']} evidence files, {summary['dossiers']:,} synthetic dossiers "
                   f"(service delivery).")
    typer.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, full, role, scope, fields in USERS:
        where = f" · {scope}" if scope and not scope.startswith("*") else (" · các sở, ban, ngành" if scope else "")
        where += f" · lĩnh vực {', '.join(fields)}" if fields else ""
        typer.echo(f"  {username:<12} {role:<10} {full}{where}")
    if not no_run:
        _run(host, port)


def backup(
    out: Path = typer.Argument(..., help="Backup file to write (.zip)."),
    without_uploads: Annotated[bool, typer.Option(
        "--without-uploads",
        help="Leave out the uploaded originals (DATA_DIR/uploads: survey responses, dossier exports, templates).",
    )] = False,  # Annotated: a plain default, also when called from Python (tests)
) -> None:
    """Write the whole database (as Django fixtures), the evidence files, the dossier store and the uploaded
    originals into one ZIP file."""
    import io
    import zipfile

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from cchc.web import uploads

    if not MigrationRecorder(connection).has_table():
        where = os.environ.get("DATABASE_URL") and "DATABASE_URL" or settings.DATABASES["default"]["NAME"]
        typer.echo(f"cchc backup: no cchc database at {where} (check CCHC_DATA_DIR / DATABASE_URL)", err=True)
        raise typer.Exit(2)
    buf = io.StringIO()
    call_command("dumpdata", natural_foreign=True, exclude=["contenttypes", "auth.permission", "sessions",
                                                              "admin.logentry"], stdout=buf)
    from cchc.services.importer import Store

    root = Path(settings.EVIDENCE_ROOT)
    store = Store(settings.CCHC_DOSSIER_STORE)
    n = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", buf.getvalue())
        if root.exists():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    zf.write(path, f"evidence/{path.relative_to(root)}")
                    n += 1
        with store.locked():  # no import half-way through the copy
            store.recover()
            files = store.content()
            for rel in files:  # Parquet is compressed already
                zf.write(store.root / rel, f"{DOSSIER_PREFIX}{rel.as_posix()}",
                         zipfile.ZIP_STORED if rel.suffix == ".parquet" else zipfile.ZIP_DEFLATED)
            zf.writestr(DOSSIER_INDEX, json.dumps({"files": len(files)}))
        originals = [] if without_uploads else uploads.originals()
        for path in originals:  # XLSX and Parquet are compressed already
            zf.write(path, f"{UPLOADS_PREFIX}{path.name}",
                     zipfile.ZIP_DEFLATED if path.suffix in (".csv", ".jsonl", ".txt") else zipfile.ZIP_STORED)
    typer.echo(f"cchc backup: {out} (database, {n} evidence files, {len(files)} files of the dossier store, "
               + ("uploaded originals left out)" if without_uploads else f"{len(originals)} uploaded originals)"))


def restore(
    archive: Path = typer.Argument(..., exists=True, help="Backup file written by `cchc backup`."),
    yes: bool = typer.Option(False, "--yes", help="Replace the current database without asking."),
) -> None:
    """Replace the database and evidence files with a backup (the database is emptied first)."""
    import tempfile
    import zipfile

    setup_django()
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import transaction

    from cchc.web import uploads

    try:
        with zipfile.ZipFile(archive) as zf:
            if "data.json" not in zf.namelist():
                raise zipfile.BadZipFile("it has no data.json")
    except zipfile.BadZipFile as exc:
        typer.echo(f"Lỗi: {archive} không phải bản sao lưu của cchc ({exc}); không có gì bị thay đổi.\n"
                   f"error: {archive} is not a cchc backup ({exc}); nothing was changed.", err=True)
        raise typer.Exit(code=2) from None
    if not yes:
        typer.confirm("Xóa dữ liệu hiện có và khôi phục từ bản sao lưu? / Replace all current data?", abort=True)
    _migrate()
    root = Path(settings.EVIDENCE_ROOT)
    with zipfile.ZipFile(archive) as zf, tempfile.TemporaryDirectory() as tmp:
        zf.extract("data.json", tmp)
        try:
            with transaction.atomic():  # emptied and reloaded together: a backup that fails to load changes nothing
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(Path(tmp) / "data.json"), verbosity=0)
        except Exception as exc:  # noqa: BLE001 - whatever loaddata met (bad JSON, a newer schema): say it, keep data
            typer.echo(f"Lỗi: không nạp được cơ sở dữ liệu từ {archive}; dữ liệu hiện có được giữ nguyên.\n"
                       f"error: the database in {archive} could not be loaded; the current data is kept.\n"
                       f"       {type(exc).__name__}: "
                       + str(exc).replace(str(Path(tmp) / "data.json"), f"{archive.name}:data.json"), err=True)
            raise typer.Exit(code=2) from None
        caches[settings.SESSION_CACHE_ALIAS].clear()  # flush signed everyone out; the cached sessions go too
        n = _extract(zf, "evidence/", root)
        store_note = _restore_dossiers(zf, Path(settings.CCHC_DOSSIER_STORE))
        originals = _extract(zf, UPLOADS_PREFIX, uploads.upload_dir())  # named by their content: no clash
    typer.echo(f"cchc restore: database, {n} evidence files and {originals} uploaded originals restored from "
               f"{archive}; {store_note}")


DOSSIER_PREFIX, DOSSIER_INDEX, UPLOADS_PREFIX = "dossiers/", "dossiers.json", "uploads/"


def _extract(zf, prefix: str, target: Path) -> int:  # noqa: ANN001 - zipfile.ZipFile
    """Write the archive's files under ``prefix`` into ``target`` (members leaving it are skipped); the count."""
    n = 0
    for name in zf.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            rel = Path(name).relative_to(prefix)
            if ".." in rel.parts or rel.is_absolute():
                continue
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(name) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            n += 1
    return n


def _restore_dossiers(zf, root: Path) -> str:  # noqa: ANN001 - zipfile.ZipFile
    """Replace the dossier store with the backup's copy. A backup made before the store was included has no
    ``dossiers.json``: the current store is then kept, and said so."""
    import tempfile

    from cchc.services.importer import Store

    if DOSSIER_INDEX not in zf.namelist():
        return f"the backup has no dossier store (an older backup): the store at {root} is kept as it is"
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".restore-") as tmp:  # same file system: moves
        _extract(zf, DOSSIER_PREFIX, Path(tmp))
        n = Store(root).replace_content(Path(tmp))
    return f"{n} files of the dossier store restored into {root}"
