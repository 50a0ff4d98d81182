"""A realistic demo province: units, users for every role, last year's published cycles and this year's
cycles in progress, with evidence files. Deterministic (seeded), so screenshots and tests are stable.

All numbers shown by the app are computed by the core from the inputs seeded here; the seeder only
invents inputs (self-scores, appraised scores, ratio data, survey indices).
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cchc.core.scoring import level_points
from cchc.web.accounts.models import RoleAssignment
from cchc.web.assessments import evidence as evidence_mod
from cchc.web.assessments import services as assessment_services
from cchc.web.assessments import states, workflow
from cchc.web.assessments.models import Cycle, LeafAssessment, Participation, State
from cchc.web.org.models import LineageKind, Unit, UnitLineage
from cchc.web.steering.demo import seed as seed_steering

DEMO_PASSWORD = "cchc-demo-2026"
LAST_YEAR, THIS_YEAR = 2025, 2026

DEPARTMENTS = [
    ("SNV", "Sở Nội vụ", "department"), ("STC", "Sở Tài chính", "department"),
    ("SXD", "Sở Xây dựng", "department"), ("SNNMT", "Sở Nông nghiệp và Môi trường", "department"),
    ("SCT", "Sở Công Thương", "department"), ("SGDĐT", "Sở Giáo dục và Đào tạo", "department"),
    ("SYT", "Sở Y tế", "department"), ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "department"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "department"), ("STP", "Sở Tư pháp", "department"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "department"), ("SNGV", "Sở Ngoại vụ", "department"),
    ("TTR", "Thanh tra tỉnh", "department"), ("VPUB", "Văn phòng UBND tỉnh", "department"),
    ("BQLKKT", "Ban Quản lý Khu kinh tế", "board"), ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng", "board"),
    ("BHXH", "Bảo hiểm xã hội tỉnh", "board"), ("CT", "Thuế tỉnh", "board"),
    ("KBNN", "Kho bạc Nhà nước khu vực", "board"), ("CATINH", "Công an tỉnh", "board"),
]
REGIONS = ["Khu vực Bắc", "Khu vực Trung tâm", "Khu vực Nam", "Khu vực Tây"]
COMMUNE_NAMES = [
    "Hòa Bình", "An Phú", "Tân Lập", "Phú Thịnh", "Đông Sơn", "Tây Sơn", "Bình Minh", "Quang Trung", "Thanh Xuân",
    "Hưng Đạo", "Lê Lợi", "Trần Phú", "Hòa An", "Phước Lộc", "Tân Thành", "Vĩnh Hưng", "Kim Long", "Ngọc Hồi",
    "Đắk Tô", "Sa Thầy", "Măng Đen", "Ia Chim", "Đăk Hà", "Kon Rẫy", "Tu Mơ Rông", "Đăk Glei", "Ngọc Linh",
    "Xốp", "Mường Hoong", "Đăk Pek", "Bờ Y", "Sa Loong", "Đăk Môn", "Đăk Kôi", "Ia Tơi", "Rờ Kơi", "Mô Rai",
    "Đăk Mar", "Ngọk Réo", "Đăk Ui", "Kon Đào", "Văn Lem", "Đăk Rơ Nga", "Hà Mòn", "Đăk Tờ Kan", "Tê Xăng",
    "Măng Ri", "Ngọk Lây", "Đăk Na", "Hiếu", "Pờ Ê", "Đăk Long", "Diên Bình", "Tân Cảnh", "Pô Kô", "Ia Dom",
    "Kon Plông", "Đăk Ring", "Măng Cành", "Ngọc Tụ",
]
WARD_INDEXES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}  # the first twelve are wards (phường)

USERS = [
    # username, full name, role, unit code (focal point scope) or field (appraiser scope)
    ("admin", "Nguyễn Văn Quản (Sở Nội vụ)", "admin", None, None),
    ("thamdinh", "Trần Thị Thẩm (thẩm định viên, các sở)", "appraiser", "*departments", None),
    ("thamdinh2", "Lê Văn Định (thẩm định viên, lĩnh vực 2 và 3)", "appraiser", None, ["2", "3"]),
    ("chutich", "Phạm Minh Duyệt (Chủ tịch Hội đồng)", "approver", None, None),
    ("lanhdao", "Hoàng Văn Đạo (Ban Chỉ đạo)", "leader", None, None),
    ("daumoi.stc", "Vũ Thị Mai (đầu mối Sở Tài chính)", "focal", "STC", None),
    ("daumoi.xd", "Đỗ Văn Hùng (đầu mối Sở Xây dựng)", "focal", "SXD", None),
    ("daumoi.xa", "Y Blang (đầu mối phường Hòa Bình)", "focal", "X001", None),
]


def tiny_pdf(title: str) -> bytes:
    """A small valid PDF with one line of text (used as demo evidence)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _inputs_for(node, quality: float, rng: random.Random) -> dict:
    """Plausible raw inputs for one leaf of a unit of the given quality (0…1)."""

    kind = node.kind or "manual"
    q = min(1.0, max(0.0, quality + rng.uniform(-0.2, 0.15)))
    if kind == "ratio":
        den = rng.randint(8, 240)
        return {"numerator": float(round(den * q)), "denominator": float(den)}
    if kind == "survey":
        return {"survey_index": round(55 + 43 * q, 2)}
    if kind == "bonus":
        return {"self_points": float(node.method.cap) if rng.random() < 0.2 else 0.0}
    if kind == "penalty":
        return {"self_points": float(min(node.method.cap, 1.0)) if rng.random() < 0.1 else 0.0}
    levels = level_points(node)
    top = float(node.max_points or 0)
    if levels:
        target = q * top
        return {"self_points": min((p for p, _l in levels), key=lambda p: abs(p - target))}
    return {"self_points": round(q * top * 4) / 4}


def _lower(node, points: float) -> float | None:
    """A stricter appraised score one step below ``points``, or None if it cannot go lower."""

    levels = sorted(p for p, _l in level_points(node))
    if levels:
        below = [p for p in levels if p < points]
        return below[-1] if below else None
    return max(0.0, points - max(0.25, round(points * 0.25 * 4) / 4)) if points > 0 else None


DOSSIER_ROWS = 40_000


def seed_dossiers() -> int:
    """A synthetic one-stop-shop export (:mod:`cchc.services.synth`) for the demo's departments and communes,
    January 2025 – October 2026, so that the service-delivery pages, the API and a focal point's own unit have
    data. Communes have no parent (the two-level local government since 2025). Returns the rows written; nothing
    when the store already has data."""

    from cchc.services.importer import Store  # start-up time: Ibis and DuckDB load on first use
    from cchc.services.synth import (  # start-up time: Ibis and DuckDB load on first use
        SynthSpec,
        write_synth,
    )

    root = Path(settings.CCHC_DOSSIER_STORE)
    if Store(root).has_data():
        return 0
    codes = tuple([c for c, _n, _t in DEPARTMENTS] + [f"X{i + 1:03d}" for i in range(len(COMMUNE_NAMES))])
    spec = SynthSpec(rows=DOSSIER_ROWS, procedures=40, seed=THIS_YEAR, start=date(LAST_YEAR, 1, 1),
                     end=date(THIS_YEAR, 10, 31), unit_codes=codes, parent_codes=(None,) * len(codes))
    return write_synth(spec, root)["rows"]


@transaction.atomic
def seed(stdout=print, evidence: bool = True, dossiers: bool = True) -> dict:
    """Seed the demo province into an empty database. Returns a summary (units, users, cycles)."""

    rng = random.Random(2026)
    User = get_user_model()
    if Unit.objects.exists() or Cycle.objects.exists():
        raise RuntimeError("the database is not empty; the demo seeds only an empty database")

    fw_dept = assessment_services.load_shipped("example-department")
    fw_comm = assessment_services.load_shipped("example-commune")

    province = Unit.objects.create(code="TINH", name="UBND tỉnh (demo)", unit_type="province", region="")
    depts = [Unit(code=c, name=n, unit_type=t, parent=province, region="Cấp tỉnh", active_from=2008)
             for c, n, t in DEPARTMENTS]
    comms = []
    for i, name in enumerate(COMMUNE_NAMES):
        ward = i in WARD_INDEXES
        comms.append(Unit(code=f"X{i + 1:03d}", name=("Phường " if ward else "Xã ") + name,
                          unit_type="ward" if ward else "commune", parent=province,
                          region=REGIONS[i % len(REGIONS)], active_from=2025, email=f"x{i + 1:03d}@example.invalid"))
    bulk_create_with_history(depts + comms, Unit)
    units = {u.code: u for u in Unit.objects.all()}
    # One renamed department: last year's "Sở Ngoại vụ" code carried under lineage as an example.
    old = Unit.objects.create(code="SNGV-CU", name="Sở Ngoại vụ (tên cũ)", unit_type="department",
                              parent=province, region="Cấp tỉnh", active_from=2008, active_to=2024)
    UnitLineage.objects.create(predecessor=old, successor=units["SNGV"], kind=LineageKind.RENAME,
                               date=date(2025, 3, 1), note="Đổi tên, giữ chức năng (ví dụ)")
    units[old.code] = old

    users = {}
    for username, full, role, scope, fields in USERS:
        first, _sep, rest = full.partition(" ")
        user = User.objects.create_user(username, f"{username}@example.invalid", DEMO_PASSWORD,
                                        first_name=first, last_name=rest)
        if role == "admin":
            user.is_staff = True
            user.is_superuser = True
            user.save()
        users[username] = user
        if scope == "*departments":
            for d in depts:
                RoleAssignment.objects.create(user=user, role=role, unit=units[d.code])
        elif fields:
            for f in fields:
                RoleAssignment.objects.create(user=user, role=role, field_code=f)
        else:
            RoleAssignment.objects.create(user=user, role=role, unit=units[scope] if scope else None)
    admin, approver = users["admin"], users["chutich"]
    quality = {code: rng.uniform(0.45, 0.98) for code in units}

    def make_cycle(name, year, record, unit_list, previous=None):
        cycle = Cycle.objects.create(
            name=name, year=year, framework=record, previous=previous,
            self_deadline=date(year, 3, 31), appraisal_deadline=date(year, 5, 15),
            explanation_deadline=date(year, 6, 15), public=True,
        )
        Participation.objects.bulk_create([Participation(cycle=cycle, unit=units[u.code]) for u in unit_list])
        return cycle

    def fill(cycle, unit_codes, *, appraise: bool, share: float = 1.0, codes_renamed=None):
        fw = cycle.framework.framework
        rows = []
        parts = {p.unit.code: p for p in cycle.participations.select_related("unit")}
        for code in unit_codes:
            part = parts[code]
            leaves = fw.leaves(part.unit.unit_type)
            cut = len(leaves) if share >= 1 else int(len(leaves) * share)
            for node in leaves[:cut]:
                vals = _inputs_for(node, quality[(codes_renamed or {}).get(code, code)], rng)
                la = LeafAssessment(participation=part, leaf_code=node.code, version=1,
                                    justification="Đã thực hiện theo kế hoạch; xem tài liệu kiểm chứng kèm theo.",
                                    **vals)
                if node.evidence == "required" and not evidence:
                    la.no_evidence_reason = "Tài liệu lưu tại bộ phận một cửa (demo)."
                if appraise and "self_points" in vals and node.kind == "manual" and rng.random() < 0.18:
                    lower = _lower(node, vals["self_points"])
                    if lower is not None:
                        la.appraised_points = lower
                        la.appraisal_comment = "Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả (demo)."
                        la.appraised_by = users["thamdinh"]
                        la.explanation = "Đơn vị bổ sung báo cáo kết quả thực hiện." if rng.random() < 0.5 else ""
                    else:  # nothing lower on the level table: the self-score is accepted
                        la.appraised_points = vals["self_points"]
                        la.appraised_by = users["thamdinh"]
                elif appraise and "self_points" in vals:
                    la.appraised_points = vals["self_points"]
                    la.appraised_by = users["thamdinh"]
                rows.append(la)
        bulk_create_with_history(rows, LeafAssessment, batch_size=500)
        return rows

    def attach(cycle, unit_codes, limit_per_unit=4):
        fw = cycle.framework.framework
        n = 0
        per_unit: dict[str, int] = {}
        qs = LeafAssessment.objects.filter(participation__cycle=cycle, participation__unit__code__in=unit_codes)
        for la in qs.select_related("participation__unit"):
            code = la.participation.unit.code
            if fw.node(la.leaf_code).evidence != "required" or per_unit.get(code, 0) >= limit_per_unit:
                continue
            data = tiny_pdf(f"{code} {la.leaf_code} {cycle.year}")
            evidence_mod.store_bytes(la, f"minh-chung-{la.leaf_code}.pdf", data, users["admin"])
            per_unit[code] = per_unit.get(code, 0) + 1
            n += 1
        return n

    def walk(cycle, until):
        order = states.ORDER
        while cycle.state != until:
            target = order[order.index(cycle.state) + 1]
            actor = approver if target in (State.APPROVED, State.PUBLISHED) else admin
            cycle = workflow.transition(cycle, target, actor, "Theo kế hoạch (demo)")
        return cycle

    dept_codes = [d.code for d in depts]
    comm_codes = [c.code for c in comms]
    # Last year: both cycles published. The renamed department took part under its old code.
    last_dept_units = [units[c] for c in dept_codes if c != "SNGV"] + [old]
    c1 = make_cycle(f"Chỉ số CCHC các sở, ban, ngành năm {LAST_YEAR}", LAST_YEAR, fw_dept, last_dept_units)
    c2 = make_cycle(f"Chỉ số CCHC các xã, phường năm {LAST_YEAR}", LAST_YEAR, fw_comm, comms)
    c1 = walk(c1, State.OPEN)
    c2 = walk(c2, State.OPEN)
    quality_old = dict(quality)
    for code in quality:
        quality[code] = min(0.98, max(0.4, quality[code] - rng.uniform(-0.05, 0.12)))  # last year a bit weaker
    fill(c1, [u.code for u in last_dept_units], appraise=True, codes_renamed={"SNGV-CU": "SNGV"})
    fill(c2, comm_codes, appraise=True)
    if evidence:
        attach(c1, ["STC", "SXD"])
    Participation.objects.filter(cycle__in=[c1, c2]).update(submitted_at=c1.transitions.last().at)
    c1, c2 = walk(c1, State.FINAL_APPRAISAL), walk(c2, State.FINAL_APPRAISAL)
    explained = LeafAssessment.objects.filter(participation__cycle__in=[c1, c2]).exclude(explanation="")
    Participation.objects.filter(pk__in=explained.values("participation_id")).update(
        explained_at=c1.transitions.last().at)  # the units that wrote explanations sent them
    c1 = walk(c1, State.PUBLISHED)
    c2 = walk(c2, State.PUBLISHED)
    quality = quality_old

    # This year: departments are self-assessing (some done), communes are in appraisal.
    d26 = make_cycle(f"Chỉ số CCHC các sở, ban, ngành năm {THIS_YEAR}", THIS_YEAR, fw_dept, depts, previous=c1)
    x26 = make_cycle(f"Chỉ số CCHC các xã, phường năm {THIS_YEAR}", THIS_YEAR, fw_comm, comms, previous=c2)
    d26 = walk(d26, State.OPEN)
    done = [c for c in dept_codes if c not in ("STC", "SXD")][:12]
    fill(d26, done, appraise=False)
    fill(d26, ["STC"], appraise=False, share=0.5)
    Participation.objects.filter(cycle=d26, unit__code__in=done).update(submitted_at=d26.transitions.last().at)
    x26 = walk(x26, State.OPEN)
    fill(x26, comm_codes, appraise=False)
    Participation.objects.filter(cycle=x26).update(submitted_at=x26.transitions.last().at)
    x26 = walk(x26, State.APPRAISAL)
    n_files = 0
    if evidence:
        n_files += attach(d26, done[:3] + ["STC"])
        n_files += attach(x26, ["X001", "X002"])

    seed_steering(stdout=lambda *a, **k: None)  # plans, tasks, proposals, targets, committee of the demo province
    summary = {
        "units": Unit.objects.count(), "users": [u[0] for u in USERS], "password": DEMO_PASSWORD,
        "cycles": [(c.pk, c.name, c.state) for c in Cycle.objects.order_by("pk")], "evidence": n_files,
        "dossiers": seed_dossiers() if dossiers else 0,
    }
    return summary
