"""`cchc steering`: import with located errors (exit 2, nothing imported), export, idempotent reminders."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from typer.testing import CliRunner

from cchc.cli import app

pytestmark = [pytest.mark.db, pytest.mark.django_db(transaction=True)]


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_cli_import_export_remind(world, tmp_path, settings):
    from django.core import mail

    from cchc.web.steering.models import Task

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    head = ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx([head, [1, "A", "D1", "2026-02-30"], [2, "B", "D9", ""]]))
    r = CliRunner().invoke(app, ["steering", "import-tasks", str(bad), "--plan", str(world.plan.pk)])
    assert r.exit_code == 2
    assert "dòng 2, cột D (Thời hạn)" in r.output and "dòng 3, cột C (Đơn vị chủ trì)" in r.output
    assert Task.objects.count() == 2
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx([head, [1, "A", "D1", dt.date(2026, 7, 12)], [2, "B", "Sở Hai", "20/12/2026"]]))
    r = CliRunner().invoke(app, ["steering", "import-tasks", str(good), "--title", "KH 2026 bổ sung", "--year", "2026"])
    assert r.exit_code == 0, r.output
    assert Task.objects.filter(plan__title="KH 2026 bổ sung").count() == 2
    out = tmp_path / "out.xlsx"
    r = CliRunner().invoke(app, ["steering", "export-tasks", str(out)])
    assert r.exit_code == 0 and out.stat().st_size > 0
    r = CliRunner().invoke(app, ["steering", "remind", "--date", "2026-07-10"])
    assert r.exit_code == 0 and "sent 3" in r.output  # D1: overdue + upcoming (one e-mail); D2: upcoming
    first = len(mail.outbox)
    r = CliRunner().invoke(app, ["steering", "remind", "--date", "2026-07-10"])
    assert "sent 0" in r.output and len(mail.outbox) == first
    r = CliRunner().invoke(app, ["steering", "figures", "2026-H1", "--json"])
    assert r.exit_code == 0 and '"overdue": 1' in r.output


def test_cli_observations_from_the_national_table(world):
    from pathlib import Path

    from cchc.web.steering import services
    from cchc.web.steering.models import Observation, Proposal

    table = Path(__file__).resolve().parents[3] / "examples" / "par_index_national_2022_2023.csv"
    r = CliRunner().invoke(app, ["steering", "observations", str(table), "--province", "Kon Tum"])
    assert r.exit_code == 0, r.output
    got = {(o.metric, o.year): o.value for o in Observation.objects.all()}
    assert got[("par_index", 2023)] == 86.14 and got[("par_index_rank", 2023)] == 43
    assert got[("field:3", 2023)] == 95.23
    assert services.generate_national_proposals(2023) >= 1
    p = Proposal.objects.get(source="national:PAR INDEX:2023", criterion="3")
    assert p.points_lost == pytest.approx(0.62, abs=0.01)


def test_backup_and_restore_keep_steering_data(world, tmp_path, evidence_dir):
    """`cchc backup` / `cchc restore` carry plans, tasks (with coordinating units and history), progress,
    evidence, proposals, targets and the committee."""
    from cchc.cli import web
    from cchc.web.steering import services
    from cchc.web.steering.demo import seed
    from cchc.web.steering.models import Conclusion, Plan, Proposal, Task, TaskEvidence

    from .conftest import TODAY, tiny_pdf

    Task.objects.all().delete()
    Plan.objects.all().delete()
    seed(TODAY, stdout=lambda *a: None)
    Proposal.objects.create(source="internal:x:2025", year=2025, unit_code="D1", unit_name="Sở Một", criterion="1.1",
                            criterion_name="x", points_lost=1, max_points=2, title="x")
    task = Task.objects.filter(state="in_progress").first()
    task.coordinating_units.add(*list(task.lead_unit.__class__.objects.all()[:2]))
    import io

    f = io.BytesIO(tiny_pdf("x"))
    f.name = "a.pdf"
    services.store_evidence(task, f, None)

    def counts():
        return (Task.objects.count(), Task.history.count(), Proposal.objects.count(), TaskEvidence.objects.count(),
                Conclusion.objects.filter(tasks__isnull=False).count(), task.coordinating_units.count())

    before = counts()
    out = tmp_path / "backup.zip"
    web.backup(out)
    Task.objects.filter(pk=task.pk).update(title="đã sửa")
    web.restore(out, yes=True)
    assert counts() == before
    assert Task.objects.get(pk=task.pk).title != "đã sửa"
