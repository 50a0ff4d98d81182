"""Demo steering data on top of the demo province (``cchc.web.demo.seed``): a plan with tasks in every state,
the steering committee with field responsibilities, a meeting whose conclusion became a task, Kon Tum's
published PAR INDEX / SIPAS figures as observations, targets, and remedial proposals from the latest published
cycle. ``python -m cchc.web seed_steering_demo`` runs it; idempotent enough for a fresh demo database."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cchc.web.assessments.models import Cycle
from cchc.web.org.models import Unit

from . import services
from .models import Conclusion, FieldResponsibility, Meeting, Member, Observation, Plan, Target, Task


def seed(today: dt.date | None = None, stdout=print) -> dict:


    today = today or services.today()
    units = {u.code: u for u in Unit.objects.all()}
    if not units or Plan.objects.exists():
        return {"skipped": True}

    def u(code):
        return units.get(code) or next(iter(units.values()))

    y = today.year
    with transaction.atomic():
        plan = Plan.objects.create(title=f"Kế hoạch cải cách hành chính năm {y}", year=y, period=str(y),
                                   decision=f"Kế hoạch số 12/KH-UBND ngày 15/01/{y} của UBND tỉnh (demo)",
                                   issued_on=dt.date(y, 1, 15))
        rows = [
            ("1", "Ban hành kế hoạch tuyên truyền CCHC", "SNV", dt.date(y, 3, 31), "1.4", "done", dt.date(y, 3, 25)),
            ("2", "Rà soát, đơn giản hóa thủ tục hành chính", "STP", dt.date(y, 6, 30), "3.1", "done", dt.date(y, 7, 8)),
            ("3", "Thanh toán trực tuyến phí, lệ phí", "STC", today - dt.timedelta(days=10), "7.1", "in_progress", None),
            ("4", "Số hóa hồ sơ, kết quả giải quyết TTHC", "SXD", today + dt.timedelta(days=5), "3.2", "in_progress",
             None),
            ("5", "Sắp xếp đơn vị sự nghiệp công lập", "SNV", dt.date(y, 12, 31), "4.1", "not_started", None),
            ("6", "Khảo sát sự hài lòng (SIPAS) cấp tỉnh", "SNV", dt.date(y, 11, 30), "", "cancelled", None),
        ]
        for number, title, code, deadline, crit, state, done_on in rows:
            t = Task.objects.create(plan=plan, number=number, title=title, lead_unit=u(code), deadline=deadline,
                                    criteria=crit, state=state, completed_on=done_on,
                                    completion_note="Đã ban hành văn bản (demo)" if state == "done" else "",
                                    cancel_reason="Gộp vào khảo sát của Bộ Nội vụ" if state == "cancelled" else "")
            if state == "in_progress":
                t.progress.create(date=today - dt.timedelta(days=3), percent=50, text="Đang triển khai (demo)")
        Member.objects.create(name="Chủ tịch UBND tỉnh", position="Chủ tịch UBND tỉnh", role="chair", unit=units.get("TINH"))
        Member.objects.create(name="Giám đốc Sở Nội vụ", position="Giám đốc", role="vice", unit=units.get("SNV"))
        for code, name, unit in [("1", "Công tác chỉ đạo, điều hành CCHC", "SNV"), ("2", "Cải cách thể chế", "STP"),
                                 ("3", "Cải cách thủ tục hành chính", "STP"), ("4", "Cải cách tổ chức bộ máy", "SNV"),
                                 ("5", "Cải cách chế độ công vụ", "SNV"), ("6", "Cải cách tài chính công", "STC"),
                                 ("7", "Xây dựng chính quyền điện tử, chính quyền số", "SKHCN")]:
            FieldResponsibility.objects.create(field_code=code, field_name=name, unit=u(unit))
        meeting = Meeting.objects.create(date=dt.date(y, 7, 5), title=f"Sơ kết CCHC 6 tháng đầu năm {y}",
                                         notice=f"Thông báo số 99/TB-UBND ngày 08/07/{y} (demo)")
        c = Conclusion.objects.create(meeting=meeting, text="Đẩy mạnh thanh toán trực tuyến, số hóa kết quả giải quyết TTHC")
        Conclusion.objects.create(meeting=meeting, text="Các sở, ngành khắc phục ngay các tiêu chí bị trừ điểm")
        Task.objects.create(title="Đẩy mạnh thanh toán trực tuyến (kết luận BCĐ)", lead_unit=u("STC"),
                            deadline=dt.date(y, 12, 31), criteria="7.1", source="meeting", conclusion=c,
                            source_ref=meeting.notice, priority="high")
        # Kon Tum's published figures (domain §2, §4) as an example of national observations.
        for metric, year, value in [("par_index", 2022, 81.35), ("par_index", 2023, 86.14),
                                    ("par_index_rank", 2022, 55), ("par_index_rank", 2023, 43),
                                    ("sipas_rank", 2022, 42), ("sipas_rank", 2023, 35), ("sipas", 2023, 82.10),
                                    ("field:3", 2023, 95.23)]:
            Observation.objects.create(metric=metric, year=year, value=value, observed_on=dt.date(year + 1, 4, 15),
                                       note="Kon Tum, Bộ Nội vụ công bố")
        Target.objects.create(source="Nghị quyết số 18-NQ/TU (ví dụ)", description="PAR INDEX trong nhóm 30 tỉnh dẫn đầu",
                              metric="par_index_rank", comparator="top", value=30, deadline=dt.date(2025, 12, 31))
        Target.objects.create(source="Nghị quyết số 18-NQ/TU (ví dụ)", description="SIPAS đạt từ 85% trở lên",
                              metric="sipas", comparator=">=", value=85, deadline=dt.date(2027, 12, 31))
        Target.objects.create(source=plan.decision, description="Hoàn thành từ 90% nhiệm vụ đến hạn",
                              metric="task_completion", comparator=">=", value=90, deadline=dt.date(y, 12, 31))
    made = 0
    for cycle in Cycle.objects.filter(state="published").order_by("-year")[:1]:
        made = services.generate_internal_proposals(cycle)
    summary = {"plan": plan.pk, "tasks": Task.objects.count(), "proposals": made}
    stdout(f"steering demo: {summary}")
    return summary
