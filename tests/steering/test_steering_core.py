import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle
from cchc.frameworks import load_framework
from cchc.steering.figures import task_figures
from cchc.steering.proposals import internal_proposals, national_proposals
from cchc.steering.reminders import reminders_due, unsent
from cchc.steering.rewards import evaluate, load_rules
from cchc.steering.targets import Target, attainment
from cchc.steering.tasks import TaskFacts, TaskState, TransitionError, check_transition, display_state

D = dt.date
FW = load_framework("example-commune")


def task(i, state, deadline, completed=None, unit="X1", plan="KH 01"):
    return TaskFacts(i, f"Nhiệm vụ {i}", unit, deadline, TaskState(state), completed, plan)


# ---- transitions -------------------------------------------------------------------------------------

ALL = list(TaskState)


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("new", ALL)
def test_every_transition_is_either_allowed_or_refused_with_a_reason(current, new):
    allowed = {("not_started", "in_progress"), ("not_started", "done"), ("in_progress", "done"),
               ("not_started", "cancelled"), ("in_progress", "cancelled"), ("done", "in_progress"),
               ("cancelled", "not_started")}
    if (current, new) in allowed:
        check_transition(current, new, reason="lý do", completion_note="đã ban hành", evidence_count=1)
    else:
        with pytest.raises(TransitionError):
            check_transition(current, new, reason="lý do", completion_note="đã ban hành", evidence_count=1)


def test_done_needs_note_and_evidence_cancel_needs_reason():
    with pytest.raises(TransitionError, match="completion note"):
        check_transition("in_progress", "done", evidence_count=1)
    with pytest.raises(TransitionError, match="evidence"):
        check_transition("in_progress", "done", completion_note="xong")
    with pytest.raises(TransitionError, match="needs a reason"):
        check_transition("in_progress", "cancelled")


def test_overdue_is_derived():
    assert display_state(task(1, "in_progress", D(2024, 6, 30)), D(2024, 7, 1)) == "overdue"
    assert display_state(task(1, "in_progress", D(2024, 6, 30)), D(2024, 6, 30)) == "in_progress"
    assert display_state(task(1, "done", D(2024, 6, 30), D(2024, 7, 5)), D(2024, 8, 1)) == "done"


# ---- half-year figures -------------------------------------------------------------------------------


def test_half_year_figures():
    tasks = [
        task(1, "done", D(2024, 3, 31), D(2024, 3, 30)),
        task(2, "done", D(2024, 4, 30), D(2024, 5, 2)),
        task(3, "in_progress", D(2024, 6, 15)),
        task(4, "cancelled", D(2024, 5, 1)),
        task(5, "not_started", D(2024, 9, 30)),  # not due in H1
        task(6, "in_progress", D(2024, 6, 30)),
    ]
    [f] = task_figures(tasks, "2024-H1", today=D(2024, 6, 20))
    assert (f.due, f.done_on_time, f.done_late, f.overdue, f.cancelled, f.open_not_due) == (5, 1, 1, 1, 1, 1)
    assert f.completion_rate == pytest.approx(50.0)
    [after] = task_figures(tasks, "2024-H1", today=D(2024, 7, 10))
    assert after.overdue == 2  # task 6 was open at the end of the half year


@given(st.lists(st.tuples(st.sampled_from(list(TaskState)), st.integers(0, 180), st.integers(-30, 30)), max_size=30))
def test_completion_rate_is_a_share(items):
    tasks = [task(i, s, D(2024, 1, 1) + dt.timedelta(days=d), D(2024, 1, 1) + dt.timedelta(days=d + c) if s == "done" else None)
             for i, (s, d, c) in enumerate(items)]
    for f in task_figures(tasks, "2024-H1", D(2024, 12, 31)):
        assert f.done_on_time + f.done_late + f.overdue + f.cancelled + f.open_not_due == f.due
        assert f.completion_rate is None or 0 <= f.completion_rate <= 100


# ---- proposals ---------------------------------------------------------------------------------------


def _cycle(**overrides):
    inputs = {leaf.code: LeafInput(self_points=leaf.max_points) for leaf in FW.leaves("commune") if not leaf.is_signed}
    inputs.update({k: LeafInput(self_points=v) for k, v in overrides.items()})
    return score_cycle(FW, [UnitAssessment("X1", "Xã A", "commune", inputs=inputs)])


def test_internal_proposals_one_per_lost_criterion():
    proposals = internal_proposals(FW, _cycle(**{"1.3": 0.5, "6.2": 1}), 2025)
    assert [(p.criterion, p.points_lost) for p in proposals] == [("1.3", 1.5), ("6.2", 1.0)]
    assert proposals[0].title == 'Khắc phục tiêu chí 1.3 "Tuyên truyền CCHC trên hệ thống truyền thanh cơ sở và mạng xã hội" (bị mất 1,50 / 2,00 điểm năm 2025)'


def test_national_proposals_from_kon_tum_2023_field_indices():
    fw = load_framework("par-index-876-provincial")
    proposals = national_proposals(fw, {"2": 94.15, "3": 95.23, "4": 92.56}, 2023,
                                   agencies={"2": ("STP", "Sở Tư pháp")})
    by_field = {p.criterion: p for p in proposals}
    assert by_field["2"].unit_name == "Sở Tư pháp" and by_field["2"].points_lost == pytest.approx(0.59)
    assert by_field["3"].points_lost == pytest.approx(0.62)  # 13 × (1 − 0.9523)
    assert by_field["4"].points_lost == pytest.approx(0.78)
    assert by_field["3"].unit_name == "Sở Nội vụ"


# ---- targets -----------------------------------------------------------------------------------------

TOP30 = Target("Nghị quyết số 18-NQ/TU (ví dụ)", "par_index_rank", "top", 30, D(2025, 12, 31))


def test_target_states():
    assert attainment(TOP30, [], D(2024, 6, 1)).status == "unknown"
    assert attainment(TOP30, [(D(2023, 4, 1), 28)], D(2024, 6, 1)).status == "met"
    # Kon Tum: 55 (2022) → 43 (2023): the trend reaches 30 by the end of 2025?  55 − 12/yr × 2.75 ≈ 22 → on track
    kt = [(D(2023, 4, 1), 55), (D(2024, 4, 1), 43)]
    got = attainment(TOP30, kt, D(2024, 6, 1))
    assert got.status == "on_track" and got.projected < 30
    assert attainment(TOP30, [(D(2023, 4, 1), 43), (D(2024, 4, 1), 45)], D(2024, 6, 1)).status == "at_risk"
    assert attainment(TOP30, kt, D(2026, 1, 2)).status == "not_met"
    sipas = Target("NQ", "sipas", ">=", 85, D(2025, 12, 31))
    assert attainment(sipas, [(D(2024, 4, 1), 82.10)], D(2024, 6, 1)).status == "at_risk"


# ---- rewards: Kon Tum's rule ---------------------------------------------------------------------------


def _cycle_with_indices(indices):
    units = []
    for code, index in indices.items():
        lost = 100 - index  # lose points on the 20-point and 15-point survey leaves
        inputs = {leaf.code: LeafInput(self_points=leaf.max_points) for leaf in FW.leaves("commune") if not leaf.is_signed}
        first = min(lost, 20)
        inputs["8.1"] = LeafInput(survey_index=100 * (20 - first) / 20)
        inputs["8.2"] = LeafInput(survey_index=100 * (15 - (lost - first)) / 15)
        units.append(UnitAssessment(code, f"Xã {code}", "commune", inputs=inputs))
    return score_cycle(FW, units)


def test_kon_tum_rule_edge_cases():
    rules = load_rules("kon-tum-example")
    previous = _cycle_with_indices({"A": 95, "B": 95, "C": 85, "D": 92, "E": 91, "F": 90})
    current = _cycle_with_indices({"A": 96, "B": 75, "C": 70.0, "D": 80.0, "E": 69.99, "F": 90.0})
    decisions = {d.unit_code: d for d in evaluate(rules, FW, current, previous)}
    assert decisions["A"].candidate
    # B: Xuất sắc → Khá is exactly two bands down: excluded
    assert any("Giảm hai bậc" in r for r in decisions["B"].reasons)
    # D: 80.00 is Tốt (band boundary), one band down: still a candidate
    assert decisions["D"].band == "T" and decisions["D"].candidate
    # E: 69.99 is Trung bình: excluded by band, and XS → TB is also ≥ two bands down
    assert decisions["E"].band == "TB" and any("Trung bình trở xuống" in r for r in decisions["E"].reasons)
    # C: 70.00 is Khá: below the minimum band Tốt, not excluded
    assert decisions["C"].band == "K" and decisions["C"].reasons == ["xếp loại dưới Tốt"]
    # F: XS at 90.00 — top 3 eligible are A (96), F (90), D (80)
    assert decisions["F"].candidate
    assert sorted(c for c, d in decisions.items() if d.candidate) == ["A", "D", "F"]


# ---- reminders ---------------------------------------------------------------------------------------


def test_reminders_are_idempotent_per_day():
    tasks = [task(1, "in_progress", D(2024, 6, 5)), task(2, "not_started", D(2024, 5, 30)), task(3, "done", D(2024, 5, 1), D(2024, 5, 1)),
             task(4, "not_started", D(2024, 7, 30))]
    today = D(2024, 6, 1)
    first = reminders_due(tasks, today)
    assert [(r.kind, r.task_id) for r in first] == [("overdue", 2), ("upcoming", 1)]
    sent = {r.key for r in first}
    assert unsent(reminders_due(tasks, today), sent) == []
    tomorrow = unsent(reminders_due(tasks, D(2024, 6, 2)), sent)
    assert [(r.kind, r.task_id) for r in tomorrow] == [("overdue", 2)]  # overdue daily, upcoming once


def test_next_period_keeps_open_tasks_due_within_six_months():
    from cchc.steering.figures import next_period

    tasks = [task(1, "not_started", D(2026, 12, 31)), task(2, "in_progress", D(2026, 6, 1)),
             task(3, "done", D(2026, 8, 1), D(2026, 7, 20)), task(4, "not_started", D(2027, 1, 1)),
             task(5, "in_progress", None), task(6, "cancelled", D(2026, 9, 1))]
    assert [t.id for t in next_period(tasks, D(2026, 7, 1))] == [2, 1]
    assert [t.id for t in next_period(tasks, D(2026, 8, 31))] == [2, 1, 4]  # to 28 Feb 2027 (day clamped)


def test_projected_rank_is_never_better_than_first():
    t = Target("NQ", "par_index_rank", "top", 30, D(2027, 12, 31))
    a = attainment(t, [(D(2023, 4, 15), 55), (D(2024, 4, 15), 43)], D(2024, 7, 1))
    assert a.status == "on_track" and a.projected == 1.0


# ---- one overdue rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_figures_overdue_list_reminders_and_task_state_agree_on_the_deadline_day(offset):
    """Overdue = past the deadline (deadline < today): on the deadline day a task is not overdue anywhere."""
    from cchc.steering.figures import overdue_list

    deadline = D(2024, 6, 15)
    today = deadline + dt.timedelta(days=offset)
    t = task(1, "in_progress", deadline)
    expected = offset > 0
    assert (display_state(t, today) == "overdue") is expected
    assert bool(overdue_list([t], today)) is expected
    assert any(r.kind == "overdue" for r in reminders_due([t], today)) is expected
    [f] = task_figures([t], "2024-H1", today)
    assert (f.overdue, f.open_not_due) == ((1, 0) if expected else (0, 1))


def test_figures_after_the_period_count_what_was_past_its_deadline_at_the_end():
    t = task(1, "in_progress", D(2024, 6, 30))  # due on the period's last day, still open afterwards
    [on_last_day] = task_figures([t], "2024-H1", D(2024, 6, 30))
    assert on_last_day.overdue == 0
    for later in (D(2024, 7, 1), D(2024, 12, 31)):
        [f] = task_figures([t], "2024-H1", later)
        assert f.overdue == 1
        assert display_state(t, later) == "overdue"
