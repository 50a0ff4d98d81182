"""Self-assessment, appraisal and explanation: validation, optimistic locking, history, completeness."""

import pytest
from tests.web.helpers import fill_all, set_state

from cchc.core.scoring import level_points
from cchc.web.assessments import frameworks, scoring, services
from cchc.web.assessments.models import LeafAssessment, State

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _levelled_leaf(world):
    return next(n for n in world.fw.leaves("department") if level_points(n))


def _free_leaf(world):
    return next(n for n in world.fw.leaves("department") if n.kind == "manual" and not level_points(n))


def test_self_save_validates_points(world):
    set_state(world.cycle, State.OPEN)
    part, focal = world.part("D1"), world.users["focal"]
    leaf = _free_leaf(world)
    with pytest.raises(services.Invalid) as e:
        services.save_self(part, leaf.code, {"self_points": str(leaf.max_points + 1)}, focal, 0)
    assert "self_points" in e.value.errors
    with pytest.raises(services.Invalid):
        services.save_self(part, leaf.code, {"self_points": "abc"}, focal, 0)
    lv = _levelled_leaf(world)
    allowed = {p for p, _l in level_points(lv)}
    bad = next(x / 4 for x in range(1, 40) if x / 4 not in allowed and x / 4 <= lv.max_points)
    with pytest.raises(services.Invalid):
        services.save_self(part, lv.code, {"self_points": bad}, focal, 0)
    res = services.save_self(part, leaf.code, {"self_points": "0,5", "justification": "đã làm"}, focal, 0)
    assert res.leaf.self_points == 0.5 and res.leaf.version == 1


def test_typed_points_use_the_cores_tolerance(world, login):
    """The page checks typed points by the core's rule (POINTS_TOLERANCE = 1e-6, range before level table): on a
    leaf whose level table holds 2 (and whose maximum is above 2), "2,0000005" is level 2 and "2,00001" is not."""
    set_state(world.cycle, State.OPEN)
    part, focal = world.part("D1"), world.users["focal"]
    leaf = next(n for n in world.fw.leaves("department")
                if 2.0 in {p for p, _l in level_points(n)} and n.max_points > 2)
    res = services.save_self(part, leaf.code, {"self_points": "2,0000005"}, focal, 0)
    assert res.leaf.self_points == pytest.approx(2.0000005) and res.leaf.version == 1
    with pytest.raises(services.Invalid) as e:
        services.save_self(part, leaf.code, {"self_points": "2,00001"}, focal, 1)
    levels = ", ".join(f"{p:g}".replace(".", ",") for p, _l in level_points(leaf))
    assert e.value.errors["self_points"] == f"Điểm phải là một mức trong bảng mức: {levels}."
    # the same through the page
    c = login(focal)
    r = c.post(f"/cycles/{world.cycle.pk}/units/D1/self/leaf/{leaf.code}/", {"self_points": "2,00001", "version": "1"},
               HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "Điểm phải là một mức trong bảng mức" in r.content.decode()


def test_stale_save_is_refused_and_never_overwrites(world, login):
    set_state(world.cycle, State.OPEN)
    part = world.part("D1")
    leaf = _free_leaf(world)
    services.save_self(part, leaf.code, {"self_points": "1"}, world.users["focal"], 0)
    # A second person still holds version 0: refused, value unchanged.
    with pytest.raises(services.Conflict) as e:
        services.save_self(part, leaf.code, {"self_points": "0"}, world.users["admin"], 0)
    assert "đã được" in str(e.value)
    assert LeafAssessment.objects.get(participation=part, leaf_code=leaf.code).self_points == 1.0
    # Through the page with htmx: 409 and the current value shown with the message.
    c = login(world.users["focal"])
    url = f"/cycles/{world.cycle.pk}/units/D1/self/leaf/{leaf.code}/"
    r = c.post(url, {"self_points": "0", "version": "0"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 409
    assert "Không lưu" in r.content.decode()
    assert LeafAssessment.objects.get(participation=part, leaf_code=leaf.code).self_points == 1.0
    r = c.post(url, {"self_points": "0", "version": "1"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert 'id="totals"' in r.content.decode() and "hx-swap-oob" in r.content.decode()


def test_a_refused_save_keeps_what_was_typed(world, login):
    """Nothing the person typed is lost when a save is refused (422): the leaf comes back with the typed points,
    justification, appraisal comment — not the stored ones."""
    import html as html_mod

    set_state(world.cycle, State.OPEN)
    part, leaf, lv = world.part("D1"), _free_leaf(world), _levelled_leaf(world)
    services.save_self(part, leaf.code, {"self_points": "0", "justification": "bản cũ"}, world.users["focal"], 0)
    c = login(world.users["focal"])
    url = f"/cycles/{world.cycle.pk}/units/D1/self/leaf/{leaf.code}/"
    r = c.post(url, {"self_points": str(leaf.max_points + 1), "justification": "Đã ban hành <kế hoạch> số 12",
                     "version": "1"}, HTTP_HX_REQUEST="true")
    page = r.content.decode()
    assert r.status_code == 422 and "Điểm phải trong khoảng" in page
    assert html_mod.escape("Đã ban hành <kế hoạch> số 12") in page and "bản cũ" not in page
    assert f'value="{leaf.max_points + 1}"' in page
    stored = LeafAssessment.objects.get(participation=part, leaf_code=leaf.code)
    assert stored.justification == "bản cũ" and stored.self_points == 0  # and nothing was saved

    part2 = fill_all(world, "D1", 1.0)
    set_state(world.cycle, State.APPRAISAL)
    c = login(world.users["appraiser"])
    la = LeafAssessment.objects.get(participation=part2, leaf_code=leaf.code)
    url = f"/cycles/{world.cycle.pk}/units/D1/appraise/leaf/{leaf.code}/"
    r = c.post(url, {"appraised_points": "0", "appraisal_comment": "", "version": str(la.version)},
               HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and 'name="appraised_points" inputmode="decimal" size="6" value="0"' in r.content.decode()
    r = c.post(url, {"appraised_points": "99", "appraisal_comment": "thiếu quyết định", "version": str(la.version)},
               HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and ">thiếu quyết định</textarea>" in r.content.decode()
    la2 = LeafAssessment.objects.get(participation=part2, leaf_code=lv.code)
    r = c.post(f"/cycles/{world.cycle.pk}/units/D1/appraise/leaf/{lv.code}/",
               {"appraised_points": str(lv.max_points + 7), "version": str(la2.version)}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and " selected>" not in r.content.decode().split('name="appraised_points"')[1][:2000]


def test_criterion_names_in_the_persons_language(world, login):
    """The score sheet names fields and criteria in English on English pages (the framework's name_en)."""
    set_state(world.cycle, State.OPEN)
    leaf = next(n for n in world.fw.leaves("department") if n.name_en and n.name_en != n.name_vi)
    field = next(n for n in world.fw.nodes if n.name_en and n.name_en != n.name_vi)
    c = login(world.users["focal"])
    url = f"/cycles/{world.cycle.pk}/units/D1/self/?field=all"
    page = c.get(url).content.decode()
    assert leaf.name_vi in page and leaf.name_en not in page
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get(url).content.decode()
    assert leaf.name_en in page and f"{field.code}. {field.name_en}" in page and leaf.name_vi not in page


def test_history_records_who_old_new_why(world):
    set_state(world.cycle, State.OPEN)
    part = world.part("D1")
    leaf = _free_leaf(world)
    services.save_self(part, leaf.code, {"self_points": "1"}, world.users["focal"], 0)
    services.save_self(part, leaf.code, {"self_points": "0,5"}, world.users["focal"], 1)
    la = LeafAssessment.objects.get(participation=part, leaf_code=leaf.code)
    new, old = la.history.all()[:2]
    assert (old.self_points, new.self_points) == (1.0, 0.5)
    assert new.history_change_reason == "Tự đánh giá" and new.history_user == world.users["focal"]
    delta = new.diff_against(old)
    assert "self_points" in delta.changed_fields


def test_running_total_comes_from_the_core(world):
    from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle

    set_state(world.cycle, State.OPEN)
    part = fill_all(world, "D1", 0.8)
    totals = scoring.self_total(part)
    inputs = scoring.gather_inputs(world.cycle, [part])["D1"]["inputs"]
    direct = score_cycle(world.fw, [UnitAssessment("D1", "Sở Một", "department", None,
                                                   {k: LeafInput(**v) for k, v in inputs.items()})]).unit("D1")
    assert totals["total"] == pytest.approx(direct.total)
    assert totals["index"] == pytest.approx(direct.index)


def test_submission_checks_completeness(world):
    set_state(world.cycle, State.OPEN)
    part, focal = world.part("D1"), world.users["focal"]
    with pytest.raises(services.Invalid) as e:
        services.submit(part, focal)
    assert len(e.value.errors) >= len(world.fw.leaves("department")) - 2
    fill_all(world, "D1", 0.9)
    required = next(n for n in world.fw.leaves("department") if n.evidence == "required")
    LeafAssessment.objects.filter(participation=part, leaf_code=required.code).update(no_evidence_reason="")
    with pytest.raises(services.Invalid) as e:
        services.submit(part, focal)
    assert list(e.value.errors) == [required.code]
    LeafAssessment.objects.filter(participation=part, leaf_code=required.code).update(no_evidence_reason="có lý do")
    services.submit(part, focal)
    part.refresh_from_db()
    assert part.submitted_at is not None
    # Submitted: no more edits by the focal point.
    with pytest.raises(PermissionError):
        services.save_self(part, required.code, {"justification": "x"}, focal, 0)


def test_appraisal_requires_reason_when_adjusting_and_accept_copies(world):
    set_state(world.cycle, State.OPEN)
    part = fill_all(world, "D1", 1.0)
    set_state(world.cycle, State.APPRAISAL)
    appraiser = world.users["appraiser"]
    leaf = _free_leaf(world)
    la = LeafAssessment.objects.get(participation=part, leaf_code=leaf.code)
    with pytest.raises(services.Invalid) as e:
        services.save_appraisal(part, leaf.code, {"appraised_points": "0"}, appraiser, la.version)
    assert "appraisal_comment" in e.value.errors
    res = services.save_appraisal(part, leaf.code, {"appraised_points": "0", "appraisal_comment": "thiếu"},
                                  appraiser, la.version)
    assert res.leaf.appraised_points == 0 and res.leaf.adjusted
    other = _levelled_leaf(world)
    la2 = LeafAssessment.objects.get(participation=part, leaf_code=other.code)
    res2 = services.save_appraisal(part, other.code, {"accept": "1"}, appraiser, la2.version)
    assert res2.leaf.appraised_points == la2.self_points and not res2.leaf.adjusted
    # Appraised score wins in the total (computed by the core).
    assert scoring.unit_total(part)["total"] < scoring.self_total(part)["total"]


def test_field_appraiser_only_own_field(world):
    set_state(world.cycle, State.OPEN)
    part = fill_all(world, "D1", 1.0)
    set_state(world.cycle, State.APPRAISAL)
    fa = world.users["field_appraiser"]
    in_field = next(n for n in world.fw.leaves("department") if frameworks.field_of(world.fw, n.code) == "2"
                    and frameworks.entry_kind(n) == "points")
    out_field = next(n for n in world.fw.leaves("department") if frameworks.field_of(world.fw, n.code) == "1"
                     and frameworks.entry_kind(n) == "points")
    services.save_appraisal(part, in_field.code, {"accept": "1"}, fa, 0)
    with pytest.raises(PermissionError):
        services.save_appraisal(part, out_field.code, {"accept": "1"}, fa, 0)
    with pytest.raises(PermissionError):  # unit-scoped appraiser of D1 cannot appraise D2
        services.save_appraisal(world.part("D2"), in_field.code, {"accept": "1"}, world.users["appraiser"], 0)


def test_explanation_only_for_adjusted_leaves(world):
    set_state(world.cycle, State.OPEN)
    part = fill_all(world, "D1", 1.0)
    set_state(world.cycle, State.APPRAISAL)
    leaf = _free_leaf(world)
    services.save_appraisal(part, leaf.code, {"appraised_points": "0", "appraisal_comment": "thiếu"},
                            world.users["appraiser"], 0)
    set_state(world.cycle, State.EXPLANATION)
    focal = world.users["focal"]
    other = _levelled_leaf(world)
    with pytest.raises(services.Invalid):
        services.save_explanation(part, other.code, {"explanation": "x"}, focal, 0)
    res = services.save_explanation(part, leaf.code, {"explanation": "đã bổ sung"}, focal, 1)
    assert res.leaf.explanation == "đã bổ sung"
    with pytest.raises(PermissionError):
        services.save_explanation(world.part("D2"), leaf.code, {"explanation": "x"}, focal, 0)
    services.submit_explanation(part, focal)
    set_state(world.cycle, State.FINAL_APPRAISAL)
    services.save_appraisal(part, leaf.code, {"appraised_points": leaf.max_points, "appraisal_comment": "chấp nhận giải trình"},
                            world.users["appraiser"], 2)


def test_sheet_pages_render_for_each_mode(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.7)
    c = login(world.users["focal"])
    r = c.get(f"/cycles/{world.cycle.pk}/units/D1/self/")
    body = r.content.decode()
    assert r.status_code == 200 and "Nộp kết quả tự đánh giá" in body and 'name="version"' in body
    set_state(world.cycle, State.APPRAISAL)
    c = login(world.users["appraiser"])
    r = c.get(f"/cycles/{world.cycle.pk}/units/D1/appraise/")
    assert r.status_code == 200 and "Chấp nhận điểm tự chấm" in r.content.decode()
    n_leaves = len(world.fw.leaves("department"))
    # The unit's focal point reads the whole appraisal of its unit; a field appraiser sees only its field.
    body = login(world.users["focal"]).get(f"/cycles/{world.cycle.pk}/units/D1/appraise/").content.decode()
    assert body.count('class="leaf card') == n_leaves and "Chấp nhận điểm tự chấm" not in body
    body = login(world.users["field_appraiser"]).get(f"/cycles/{world.cycle.pk}/units/D1/appraise/").content.decode()
    in_field = [n for n in world.fw.leaves("department") if n.code.startswith("2.")]
    assert body.count('class="leaf card') == len(in_field)


def test_non_htmx_fallback_redirects_with_message(world, login):
    set_state(world.cycle, State.OPEN)
    leaf = _free_leaf(world)
    c = login(world.users["focal"])
    r = c.post(f"/cycles/{world.cycle.pk}/units/D1/self/leaf/{leaf.code}/", {"self_points": "99", "version": "0"},
               follow=True)
    assert r.status_code == 200
    assert "Điểm phải trong khoảng" in r.content.decode()


def test_large_frameworks_are_shown_one_field_at_a_time(world, login, monkeypatch):
    from cchc.web.assessments import views

    monkeypatch.setattr(views, "SHEET_PAGE_LEAVES", 10)
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.9)
    first_of_field_3 = next(n for n in world.fw.leaves("department") if n.code.startswith("3."))
    LeafAssessment.objects.filter(participation=world.part("D1"), leaf_code=first_of_field_3.code).update(
        self_points=None, numerator=None)
    c = login(world.users["focal"])
    body = c.get(f"/cycles/{world.cycle.pk}/units/D1/self/").content.decode()
    shown = {x.split('"')[0] for x in body.split('data-leaf="')[1:]}
    assert shown == {n.code for n in world.fw.leaves("department") if n.code.startswith("3.")}
    body = c.get(f"/cycles/{world.cycle.pk}/units/D1/self/?field=all").content.decode()
    assert body.count('data-leaf="') == len(world.fw.leaves("department"))


def test_version_field_is_never_localised(world, login):
    """A version of 1234 must be sent back as "1234", not "1.234" (Vietnamese thousands separator)."""
    set_state(world.cycle, State.OPEN)
    leaf = _free_leaf(world)
    la = services.get_leaf(world.part("D1"), leaf.code)
    LeafAssessment.objects.filter(pk=la.pk).update(version=1234)
    body = login(world.users["focal"]).get(f"/cycles/{world.cycle.pk}/units/D1/self/").content.decode()
    assert 'name="version" value="1234"' in body


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), "nan", "1e999", True, "1,2,3"])
def test_non_numbers_are_refused(world, raw):
    set_state(world.cycle, State.OPEN)
    with pytest.raises(services.Invalid):
        services.save_self(world.part("D1"), _free_leaf(world).code, {"self_points": raw}, world.users["focal"], 0)


def test_number_parsing_accepts_vietnamese_forms():
    assert services.parse_number("0,5") == 0.5
    assert services.parse_number("1.234,5") == 1234.5
    assert services.parse_number(" 2 ") == 2.0
    assert services.parse_number("") is None


def test_leaf_history_page_shows_who_old_new_why(world, login):
    set_state(world.cycle, State.OPEN)
    leaf = _free_leaf(world)
    services.save_self(world.part("D1"), leaf.code, {"self_points": "1"}, world.users["focal"], 0)
    set_state(world.cycle, State.APPRAISAL)
    services.save_appraisal(world.part("D1"), leaf.code, {"appraised_points": "0,5", "appraisal_comment": "thiếu minh chứng"},
                            world.users["appraiser"], 1)
    url = f"/cycles/{world.cycle.pk}/units/D1/history/{leaf.code}/"
    body = login(world.users["leader"]).get(url).content.decode()
    assert "thiếu minh chứng" in body and "appraiser" in body and "focal" in body and "Tự đánh giá" in body
    assert login(world.users["focal2"]).get(url).status_code == 403


def test_set_survey_index_writes_the_index_with_history_and_returns_the_old_one(world):
    part = world.part("D1")
    leaf = next(n for n in world.fw.leaves("department") if frameworks.entry_kind(n) == "survey")
    assert services.set_survey_index(part, leaf.code, 81.5, "khảo sát 2026", world.users["admin"]) is None
    assert services.set_survey_index(part, leaf.code, 83.0, "khảo sát 2026 lần 2", world.users["admin"]) == 81.5
    stored = LeafAssessment.objects.get(participation=part, leaf_code=leaf.code)
    assert stored.survey_index == 83.0 and stored.version == 2
    latest = stored.history.first()
    assert latest.history_change_reason == "khảo sát 2026 lần 2" and latest.history_user == world.users["admin"]
    with pytest.raises(LookupError):
        services.set_survey_index(part, "no-such-leaf", 1.0, "x", world.users["admin"])


def test_leaf_save_form_hands_on_only_what_was_sent():
    """A service tells a field not sent (keep the stored text) from a field sent empty (clear it); the version
    not sent is None (a stale save, refused)."""
    from django.http import QueryDict

    from cchc.web.assessments.forms import LeafSaveForm

    form = LeafSaveForm(QueryDict("self_points=+1,5+&justification=&version=3&csrfmiddlewaretoken=x&other=y"))
    assert form.values() == {"self_points": " 1,5 ", "justification": ""}
    assert form.loaded_version() == "3"
    form = LeafSaveForm(QueryDict("accept=1"))
    assert form.values() == {"accept": "1"} and form.loaded_version() is None


def test_evidence_upload_without_a_file_is_refused_with_a_message(world, login):
    set_state(world.cycle, State.OPEN)
    leaf = _free_leaf(world)
    r = login(world.users["focal"]).post(f"/cycles/{world.cycle.pk}/units/D1/self/leaf/{leaf.code}/evidence/", {},
                                         HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "Chọn một tệp để tải lên." in r.content.decode()
