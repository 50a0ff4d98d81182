"""The dossier import runs after the response (issue 5, web face): the real background thread with the page's
polling, a job waiting while another writer holds the store, a job whose worker died, and who may see a job."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.web.dossiers.helpers import bad_csv
from tests.web.helpers import build_world, refuse_saves

from cchc.services.importer import Store
from cchc.web.dossiers import services as data
from cchc.web.dossiers import services as jobs
from cchc.web.dossiers.models import DossierImport
from cchc.web.org.models import Unit

pytestmark = [pytest.mark.db]


@pytest.fixture
def admin_client(transactional_db, evidence_dir, settings, tmp_path, client):
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    settings.CCHC_IMPORTS_INLINE = False  # the real thread
    data.clear_cache()
    world = build_world()
    for code, name in (("U0001", "Phường Một"), ("U0002", "Xã Hai")):  # the units of the dossier file
        Unit.objects.create(code=code, name=name, unit_type="commune")
    client.force_login(world.users["admin"])
    client.world = world
    return client


def _post(client, tmp_path) -> int:
    records, catalogue = bad_csv(tmp_path)
    r = client.post("/services/import/", {
        "file": SimpleUploadedFile("ho-so.csv", records.read_bytes(), "text/csv"),
        "catalogue": SimpleUploadedFile("danh-muc.csv", catalogue.read_bytes(), "text/csv")})
    assert r.status_code == 302
    return int(r["Location"].rstrip("/").rsplit("/", 1)[1])


def _poll(client, job_id: int, until: set[str], timeout: float = 60) -> str:
    """What the page's htmx does: fetch the fragment every few hundred ms until the job is in ``until``."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/services/import/{job_id}/", HTTP_HX_REQUEST="true")
        assert r.status_code == 200
        html = r.content.decode()
        status = r.context["job"].status
        if status in until:
            return html
        assert 'hx-trigger="every 1s"' in html  # still polling while queued or running
        assert time.monotonic() < deadline, f"job {job_id} still {status}"
        time.sleep(0.2)


def test_import_runs_in_the_background_and_the_page_polls(admin_client, tmp_path):
    job_id = _post(admin_client, tmp_path)
    html = _poll(admin_client, job_id, {"done", "failed"})
    job = DossierImport.objects.get(pk=job_id)
    assert job.status == "done", job.message
    assert job.result["accepted"] == 39 and job.result["rejected"] == 2
    assert 'id="accepted">39<' in html and "hx-get" not in html  # the fragment stops polling when done
    full = admin_client.get(f"/services/import/{job_id}/").content.decode()
    assert "<html" in full and 'id="import-job"' in full and 'id="rejected-file"' in full
    assert Store(tmp_path / "store").manifest()[-1]["accepted"] == 39


def test_a_job_waits_while_another_writer_holds_the_store(admin_client, tmp_path):
    store = Store(tmp_path / "store")
    with store.locked():  # e.g. `cchc dossiers import` from the command line
        job_id = _post(admin_client, tmp_path)
        time.sleep(1.0)
        r = admin_client.get(f"/services/import/{job_id}/")
        assert r.context["job"].status == "queued" and "mỗi lúc chỉ một lần nhập" in r.content.decode()
        assert not store.has_data()
        # even when it has not moved for long, a job waiting for the lock is not taken for dead
        DossierImport.objects.filter(pk=job_id).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
        assert admin_client.get(f"/services/import/{job_id}/").context["job"].status == "queued"
    _poll(admin_client, job_id, {"done"})
    assert store.manifest()[-1]["accepted"] == 39


def test_a_progress_note_that_cannot_be_saved_does_not_stop_the_import(admin_client, tmp_path, settings,
                                                                       monkeypatch):
    """A busy database may refuse a progress note (SQLite: "database is locked" after its timeout); the import
    goes on and its outcome is saved."""
    settings.CCHC_IMPORTS_INLINE = True
    refused = refuse_saves(monkeypatch, DossierImport, ["status", "step", "updated_at"])
    job = DossierImport.objects.get(pk=_post(admin_client, tmp_path))
    assert refused[:2] == ["read", "validate"], refused
    assert job.status == "done" and job.result["accepted"] == 39, job.message
    assert Store(tmp_path / "store").manifest()[-1]["accepted"] == 39


def _orphan(client, status: str, age: dt.timedelta) -> DossierImport:
    job = DossierImport.objects.create(file_name="x.csv", path="/nonexistent/x.csv", status=status,
                                       step="validate", created_by=client.world.users["admin"])
    DossierImport.objects.filter(pk=job.pk).update(updated_at=timezone.now() - age)
    return job


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_job_whose_worker_died_is_reported_failed(admin_client, tmp_path, status):
    job = _orphan(admin_client, status, dt.timedelta(minutes=2))
    r = admin_client.get(f"/services/import/{job.pk}/")
    assert r.context["job"].status == "failed"
    assert "bị dừng giữa chừng" in r.content.decode() and "hx-get" not in r.content.decode()
    other = _orphan(admin_client, status, dt.timedelta(minutes=2))
    listed = admin_client.get("/services/import/").content.decode()  # the list of uploads settles it too
    assert f'<tr data-job="{other.pk}"><td>' in listed and DossierImport.objects.get(pk=other.pk).status == "failed"
    # a recent one is left alone: it may be starting in another worker
    young = _orphan(admin_client, status, dt.timedelta(seconds=2))
    assert admin_client.get(f"/services/import/{young.pk}/").context["job"].status == status
    # and so is an old one while a writer holds the store (it runs in another worker)
    old = _orphan(admin_client, status, dt.timedelta(minutes=2))
    with Store(tmp_path / "store").locked():
        assert admin_client.get(f"/services/import/{old.pk}/").context["job"].status == status


def test_settle_does_not_overwrite_a_job_that_finished_meanwhile(admin_client):
    job = _orphan(admin_client, "running", dt.timedelta(minutes=2))
    seen = DossierImport.objects.get(pk=job.pk)  # what a page read …
    jobs._finish(DossierImport.objects.get(pk=job.pk), DossierImport.Status.DONE, result={"accepted": 1})  # … then
    assert jobs.settle_stale(seen).status == "done"


@pytest.mark.parametrize("who", ["leader", "approver", "focal", "appraiser"])
def test_only_the_administrator_sees_import_jobs(admin_client, tmp_path, who):
    job = _orphan(admin_client, "done", dt.timedelta(0))
    admin_client.force_login(admin_client.world.users[who])
    assert admin_client.get(f"/services/import/{job.pk}/").status_code == 403
    assert admin_client.get(f"/services/import/{job.pk}/rejected.csv").status_code == 403
    admin_client.logout()
    r = admin_client.get(f"/services/import/{job.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_rejected_file_only_from_the_store(admin_client, tmp_path, settings):
    outside = tmp_path / "secret.csv"
    outside.write_text("a\n1\n")
    job = _orphan(admin_client, "done", dt.timedelta(0))
    DossierImport.objects.filter(pk=job.pk).update(result={"rejected_path": str(outside)})
    assert admin_client.get(f"/services/import/{job.pk}/rejected.csv").status_code == 404
    traversal = str(tmp_path / "store" / "rejected" / ".." / ".." / "secret.csv")
    DossierImport.objects.filter(pk=job.pk).update(result={"rejected_path": traversal})
    assert admin_client.get(f"/services/import/{job.pk}/rejected.csv").status_code == 404
    # a store that moved (restored elsewhere): the file is found by its name in the current store
    (tmp_path / "store" / "rejected").mkdir(parents=True)
    (tmp_path / "store" / "rejected" / "abc-x.csv").write_text("dossier_id,_reasons\nHS1,bad\n")
    DossierImport.objects.filter(pk=job.pk).update(result={"rejected_path": "/old/place/rejected/abc-x.csv"})
    r = admin_client.get(f"/services/import/{job.pk}/rejected.csv")
    assert r.status_code == 200 and b"HS1,bad" in b"".join(r.streaming_content)
    assert admin_client.get("/services/import/999999/").status_code == 404
