"""`cchc demo` refuses a public host; demo seeding; backup and restore round trip."""

import pytest
from typer.testing import CliRunner

from cchc.cli import app
from cchc.cli.web import is_loopback


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def test_demo_refuses_public_host_without_allow_public():
    result = CliRunner().invoke(app, ["demo", "--host", "0.0.0.0", "--no-run"])
    assert result.exit_code == 2
    assert "--allow-public" in result.output


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_demo_seed_backup_restore(tmp_path, evidence_dir, settings):
    from tests.services.helpers import dossier, write_rows

    from cchc.cli import web
    from cchc.services.importer import Store, import_file
    from cchc.web.assessments.models import Cycle, Evidence, LeafAssessment
    from cchc.web.demo import seed
    from cchc.web.org.models import Unit
    from cchc.web.results import services as results_services

    settings.CCHC_DOSSIER_STORE = tmp_path / "dossiers"
    summary = seed()
    assert summary["units"] >= 80 and summary["evidence"] > 0
    _demo_dossiers_for_the_focal_point(summary)
    states = [c[2] for c in summary["cycles"]]
    assert states == ["published", "published", "open", "appraisal"]
    for cycle in Cycle.objects.filter(state="published"):
        assert results_services.verify_snapshot(cycle.snapshots.get(published=True))
    counts = (Unit.objects.count(), LeafAssessment.objects.count(), Evidence.objects.count())
    store = Store(settings.CCHC_DOSSIER_STORE)
    stored = {rel: (store.root / rel).read_bytes() for rel in store.content()}
    out = tmp_path / "backup.zip"
    web.backup(out)
    Unit.objects.filter(code="STC").update(name="đã sửa")
    for f in evidence_dir.rglob("*"):
        if f.is_file():
            f.unlink()
    import_file(write_rows(tmp_path / "later.csv", [dossier(1)]), store)  # the store changes after the backup
    web.restore(out, yes=True)
    assert (Unit.objects.count(), LeafAssessment.objects.count(), Evidence.objects.count()) == counts
    assert {rel: (store.root / rel).read_bytes() for rel in store.content()} == stored  # the store, byte for byte
    assert Unit.objects.get(code="STC").name == "Sở Tài chính"
    ev = Evidence.objects.first()
    assert (evidence_dir / ev.sha256[:2] / ev.sha256).exists()
    this_year = Cycle.objects.get(year=2026, framework__framework_id="example-department")
    data = results_services.results_for(this_year)
    assert any(u["change"] and u["change"]["delta_rank"] is not None for u in data["units"])
    sngv = next(u for u in data["units"] if u["code"] == "SNGV")
    assert sngv["change"]["prev_index"] is not None  # compared through the rename lineage


def _demo_dossiers_for_the_focal_point(summary):
    """The demo's dossier store uses the demo's unit codes: the ward's focal point sees its own indicators."""
    from django.test import Client

    from cchc.web.demo import DOSSIER_ROWS
    from cchc.web.dossiers import services as data

    assert summary["dossiers"] == DOSSIER_ROWS
    data.clear_cache()
    units = {r["unit"] for r in data.overview("year")}
    assert {"X001", "STC", "*"} <= units and not any(u.startswith("U0") for u in units)
    c = Client()
    c.login(username="daumoi.xa", password="cchc-demo-2026")
    r = c.get("/services/", follow=True)
    assert r.redirect_chain[-1][0] == "/services/units/X001/" and 'id="indicators"' in r.content.decode()


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_restore_of_an_older_backup_keeps_the_dossier_store(tmp_path, settings, capsys):
    """A backup written before the dossier store was part of it (no dossiers.json) leaves the store alone."""
    import zipfile

    from tests.services.helpers import dossier, write_rows

    from cchc.cli import web
    from cchc.services.importer import Store, import_file

    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    store = Store(settings.CCHC_DOSSIER_STORE)
    import_file(write_rows(tmp_path / "a.csv", [dossier(1), dossier(2)]), store)
    before = store.content()
    out = tmp_path / "b.zip"
    web.backup(out)
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(out) as zf, zipfile.ZipFile(old, "w") as zo:
        for name in zf.namelist():
            if not name.startswith("dossiers"):
                zo.writestr(name, zf.read(name))
    web.restore(old, yes=True)
    assert store.content() == before and "older backup" in capsys.readouterr().out
    # a backup of an empty store empties it
    empty = tmp_path / "e.zip"
    settings.CCHC_DOSSIER_STORE = tmp_path / "empty"
    web.backup(empty)
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    web.restore(empty, yes=True)
    assert store.content() == [] and not store.has_data()


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_a_backup_that_cannot_be_loaded_changes_nothing(tmp_path, evidence_dir, settings, capsys):
    """Restore empties the database and loads the backup in one transaction: a damaged backup (or not a backup at
    all) leaves every record, file and dossier where it was, and says why."""
    import zipfile

    import typer
    from tests.services.helpers import dossier, write_rows

    from cchc.cli import web
    from cchc.services.importer import Store, import_file
    from cchc.web.org.models import Unit

    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    store = Store(settings.CCHC_DOSSIER_STORE)
    import_file(write_rows(tmp_path / "a.csv", [dossier(1)]), store)
    Unit.objects.create(code="STC", name="Sở Tài chính", unit_type="department")
    (evidence_dir / "ab").mkdir(parents=True)
    (evidence_dir / "ab" / "abc").write_bytes(b"minh chung")
    before = (list(Unit.objects.values_list("code", "name")), store.content())

    good = tmp_path / "good.zip"
    web.backup(good)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(good) as zf, zipfile.ZipFile(damaged, "w") as zo:
        for name in zf.namelist():
            zo.writestr(name, zf.read(name) if name != "data.json" else zf.read(name)[:-40] + b"garbage")
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("không phải tệp nén")
    no_data = tmp_path / "empty.zip"
    with zipfile.ZipFile(no_data, "w") as zo:
        zo.writestr("evidence/x", b"x")
    for archive, said in ((damaged, "could not be loaded"), (not_zip, "is not a cchc backup"),
                          (no_data, "it has no data.json")):
        with pytest.raises(typer.Exit) as exit_:
            web.restore(archive, yes=True)
        err = capsys.readouterr().err
        assert exit_.value.exit_code == 2 and said in err and str(archive) in err, err
        assert (list(Unit.objects.values_list("code", "name")), store.content()) == before
        assert (evidence_dir / "ab" / "abc").read_bytes() == b"minh chung"


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_backup_keeps_the_uploaded_originals(tmp_path, settings, capsys):
    """Survey responses, dossier exports and templates as uploaded (DATA_DIR/uploads, named by SHA-256) go into
    the backup and come back; temporary files do not; --without-uploads leaves them out."""
    import hashlib
    import zipfile

    from cchc.cli import web

    settings.DATA_DIR = tmp_path / "data"
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    folder = settings.DATA_DIR / "uploads"
    folder.mkdir(parents=True)
    originals = {}
    for content, suffix in ((b"don_vi,cau_1\nSo A,5\n", ".csv"), (b"PK\x03\x04 workbook", ".xlsx")):
        name = f"{hashlib.sha256(content).hexdigest()}{suffix}"
        (folder / name).write_bytes(content)
        originals[name] = content
    (folder / "tmpab12.part").write_bytes(b"half an upload")
    out = tmp_path / "b.zip"
    web.backup(out)
    assert "2 uploaded originals" in capsys.readouterr().out
    with zipfile.ZipFile(out) as zf:
        assert sorted(n for n in zf.namelist() if n.startswith("uploads/")) == sorted(f"uploads/{n}" for n in originals)
    for f in folder.iterdir():
        f.unlink()
    web.restore(out, yes=True)
    assert "2 uploaded originals" in capsys.readouterr().out
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == originals

    lean = tmp_path / "lean.zip"
    web.backup(lean, without_uploads=True)
    assert "uploaded originals left out" in capsys.readouterr().out
    with zipfile.ZipFile(lean) as zf:
        assert not any(n.startswith("uploads/") for n in zf.namelist())
