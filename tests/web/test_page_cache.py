"""The cached page contents (cchc.web.fragments): never stale, never another person's, never another language.

Every test first renders a page so that its content is in the cache, then changes something and checks that
the page shows the change. The cache is not cleared between tests (keys carry the data they were rendered
from), so these tests also run against whatever earlier tests left in it.
"""

import re

import pytest
from django.test import Client
from tests.web.helpers import complete, fill_all, fill_part, set_state

from cchc.core.scoring import level_points
from cchc.web import fragments
from cchc.web.assessments import workflow
from cchc.web.assessments.models import Cycle, LeafAssessment, Participation, State
from cchc.web.org.models import LineageKind, Unit, UnitLineage
from cchc.web.results import services as results_services

pytestmark = [pytest.mark.db, pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def renders(monkeypatch):
    """Counts the shared contents rendered (a page served from the cache renders none)."""
    calls = []
    real = fragments.render_shared

    def counting(template_name, context):
        calls.append(template_name)
        return real(template_name, context)

    monkeypatch.setattr(fragments, "render_shared", counting)
    return calls


def _free_leaf(world):
    return next(n for n in world.fw.leaves("department") if n.kind == "manual" and not level_points(n))


def _self_url(world, code="D1", mode="self"):
    return f"/cycles/{world.cycle.pk}/units/{code}/{mode}/"


def _input_value(body, element_id):
    return re.search(rf'id="{re.escape(element_id)}"[^>]*value="([^"]*)"', body).group(1)


def _publish(cycle, user):
    set_state(cycle, State.APPROVED)
    complete(cycle)
    return workflow.transition(cycle, State.PUBLISHED, user, "QĐ số 1/QĐ-UBND")


def test_second_view_is_served_from_the_cache(world, login, renders):
    from django.core.cache import caches

    caches[fragments.CACHE].clear()  # an earlier test may have rendered this very page (same rows, same key)
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.7)
    c = login(world.users["focal"])
    first = c.get(_self_url(world)).content.decode()
    assert renders.count("assessments/_sheet_body.html") == 1
    second = c.get(_self_url(world)).content.decode()
    assert renders.count("assessments/_sheet_body.html") == 1  # not rendered again
    strip = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
    assert strip.sub("", first) == strip.sub("", second)


def test_sheet_shows_a_save_made_through_the_htmx_endpoint(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.5)
    leaf = _free_leaf(world)
    c = login(world.users["focal"])
    body = c.get(_self_url(world)).content.decode()
    before_points = _input_value(body, f"sp-{leaf.code}")
    before_total = body.split('id="total-points">')[1].split("<")[0]
    la = LeafAssessment.objects.get(participation=world.part("D1"), leaf_code=leaf.code)
    r = c.post(f"{_self_url(world)}leaf/{leaf.code}/",
               {"self_points": "0,25", "justification": "Đã ban hành kế hoạch số 7", "version": la.version}, **HTMX)
    assert r.status_code == 200
    body = c.get(_self_url(world)).content.decode()
    assert _input_value(body, f"sp-{leaf.code}") == "0,25" != before_points
    assert "Đã ban hành kế hoạch số 7" in body
    assert body.split('id="total-points">')[1].split("<")[0] != before_total
    assert f'name="version" value="{la.version + 1}"' in body  # the next save is not refused as stale


def test_changes_made_outside_the_pages_are_shown(world, login):
    """The admin, an import or a direct UPDATE change no version: the key covers every shown column."""
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.5)
    leaf = _free_leaf(world)
    c = login(world.users["focal"])
    assert "Sửa trực tiếp" not in c.get(_self_url(world)).content.decode()
    LeafAssessment.objects.filter(participation=world.part("D1"), leaf_code=leaf.code).update(
        justification="Sửa trực tiếp trong cơ sở dữ liệu")
    assert "Sửa trực tiếp trong cơ sở dữ liệu" in c.get(_self_url(world)).content.decode()


def test_uploaded_evidence_is_listed(world, login, evidence_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    set_state(world.cycle, State.OPEN)
    leaf = next(n for n in world.fw.leaves("department") if n.evidence == "required")
    c = login(world.users["focal"])
    assert "bien-ban-hop.pdf" not in c.get(_self_url(world)).content.decode()
    pdf = SimpleUploadedFile("bien-ban-hop.pdf", b"%PDF-1.4\n% test\n", content_type="application/pdf")
    assert c.post(f"{_self_url(world)}leaf/{leaf.code}/evidence/", {"file": pdf}, **HTMX).status_code == 200
    assert "bien-ban-hop.pdf" in c.get(_self_url(world)).content.decode()


def test_focal_point_sees_the_appraisers_edit(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 1.0)
    leaf = _free_leaf(world)
    set_state(world.cycle, State.APPRAISAL)
    focal = Client()
    focal.force_login(world.users["focal"])
    url = _self_url(world, mode="appraise")
    assert "Thiếu biên bản họp" not in focal.get(url).content.decode()
    la = LeafAssessment.objects.get(participation=world.part("D1"), leaf_code=leaf.code)
    r = login(world.users["appraiser"]).post(
        f"{url}leaf/{leaf.code}/", {"appraised_points": "0,5", "appraisal_comment": "Thiếu biên bản họp",
                                     "version": la.version}, **HTMX)
    assert r.status_code == 200
    body = focal.get(url).content.decode()
    assert "Thiếu biên bản họp" in body
    article = body.split(f'id="leaf-{leaf.code}"')[1].split("</article>")[0]
    assert '<strong class="appraised-points">0,5</strong>' in article and "điều chỉnh" in article


def test_cycle_state_and_submission_change_what_may_be_edited(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 1.0)  # complete: every leaf scored, missing evidence explained
    c = login(world.users["focal"])
    body = c.get(_self_url(world)).content.decode()
    assert 'name="version"' in body and 'id="submit-self"' in body
    assert c.post(f"/cycles/{world.cycle.pk}/units/D1/submit/").status_code == 302
    body = c.get(_self_url(world)).content.decode()
    assert 'name="version"' not in body and 'id="submit-self"' not in body and "Đã nộp lúc" in body
    set_state(world.cycle, State.SELF_CLOSED)
    assert "Đã khóa tự đánh giá" in c.get(_self_url(world)).content.decode()


def test_language_is_part_of_the_key(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.83)
    c = login(world.users["focal"])
    vi = c.get(_self_url(world)).content.decode()
    assert "Tổng điểm tự đánh giá" in vi and "Lưu" in vi
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = c.get(_self_url(world)).content.decode()
    assert "Self-assessed total" in en and "Tổng điểm tự đánh giá" not in en
    assert "." in en.split('id="total-points">')[1].split("<")[0]
    c.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    vi_again = c.get(_self_url(world)).content.decode()
    assert "Tổng điểm tự đánh giá" in vi_again and "Self-assessed total" not in vi_again


def test_results_and_unit_pages_in_both_languages(world, login):
    fill_all(world, "D1", 0.95)
    fill_all(world, "D2", 0.55)
    cycle = _publish(world.cycle, world.users["approver"])
    c = login(world.users["leader"])
    pages = [f"/cycles/{cycle.pk}/results/", f"/cycles/{cycle.pk}/results/D1/"]
    vi = [c.get(p).content.decode() for p in pages]
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = [c.get(p).content.decode() for p in pages]
    c.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    vi_again = [c.get(p).content.decode() for p in pages]
    assert "Nhóm" in vi[0] and "Group" in en[0] and "Nhóm" not in en[0] and "Nhóm" in vi_again[0]
    assert "Qua các năm" in vi[1] and "Over the years" in en[1] and "Qua các năm" in vi_again[1]


def test_a_second_person_gets_their_own_token_and_name(world, login):
    """A shared sheet content carries no CSRF token, user name or message of the person it was rendered for."""
    from django.contrib.auth import get_user_model

    from .conftest import PASSWORD

    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.6)
    admin2 = get_user_model().objects.create_user("admin2", "admin2@example.invalid", PASSWORD,
                                                  first_name="Trần", last_name="Thị Hai")
    from cchc.web.accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=admin2, role=Role.ADMIN)
    admin = world.users["admin"]
    admin.first_name, admin.last_name = "Nguyễn", "Văn Một"
    admin.save()
    first = Client(enforce_csrf_checks=True)
    first.force_login(admin)
    body1 = first.get(_self_url(world)).content.decode()
    second = Client(enforce_csrf_checks=True)
    second.force_login(admin2)
    body2 = second.get(_self_url(world)).content.decode()
    assert "Nguyễn Văn Một" in body1 and "Nguyễn Văn Một" not in body2 and "Trần Thị Hai" in body2
    assert fragments.CSRF_SLOT not in body1 + body2
    tokens1 = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body1))
    tokens2 = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body2))
    assert tokens2 and not tokens1 & tokens2
    # The token inside the shared content works for the second person (a plain form post, no JavaScript).
    leaf = _free_leaf(world)
    form = body2.split(f'id="leaf-{leaf.code}"')[1].split("</form>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    r = second.post(f"{_self_url(world)}leaf/{leaf.code}/",
                    {"csrfmiddlewaretoken": token, "self_points": "1", "version": version})
    assert r.status_code == 302
    # ... and the first person's messages do not show up for the second.
    assert "Đã lưu tiêu chí" not in first.get(_self_url(world)).content.decode()
    assert "Đã lưu tiêu chí" in second.get(_self_url(world)).content.decode()


def test_permissions_are_checked_before_the_cache(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.6)
    assert login(world.users["admin"]).get(_self_url(world)).status_code == 200
    assert login(world.users["focal2"]).get(_self_url(world)).status_code == 403
    assert login(world.users["nobody"]).get(_self_url(world)).status_code == 403
    fill_all(world, "D2", 0.6)
    cycle = _publish(world.cycle, world.users["approver"])
    assert login(world.users["admin"]).get(f"/cycles/{cycle.pk}/results/D1/").status_code == 200
    assert login(world.users["nobody"]).get(f"/cycles/{cycle.pk}/results/").status_code == 403
    assert login(world.users["nobody"]).get(f"/cycles/{cycle.pk}/results/D1/").status_code == 403
    assert Client().get(f"/cycles/{cycle.pk}/results/").status_code == 302  # to the login page
    assert Client().get(f"/public/cycles/{cycle.pk}/").status_code == 404  # not marked public


def test_menu_follows_the_roles(world, login):
    set_state(world.cycle, State.OPEN)
    assert 'href="/people/"' in login(world.users["admin"]).get(_self_url(world)).content.decode()
    assert 'href="/people/"' not in login(world.users["focal"]).get(_self_url(world)).content.decode()


def test_public_and_signed_in_results_differ(world, login):
    fill_all(world, "D1", 0.9)
    fill_all(world, "D2", 0.6)
    cycle = _publish(world.cycle, world.users["approver"])
    Cycle.objects.filter(pk=cycle.pk).update(public=True)
    public = Client().get(f"/public/cycles/{cycle.pk}/").content.decode()
    assert "Sở Một" in public and f'href="/cycles/{cycle.pk}/results/D1/"' not in public
    signed_in = login(world.users["leader"]).get(f"/cycles/{cycle.pk}/results/").content.decode()
    assert f'href="/cycles/{cycle.pk}/results/D1/"' in signed_in and "Tải XLSX" in signed_in
    # Filters and the cycle's own text are part of the key.
    band = next(u["band"]["code"] for u in results_services.results_for(cycle)["units"] if u["code"] == "D2")
    filtered = login(world.users["leader"]).get(f"/cycles/{cycle.pk}/results/?band={band}").content.decode()
    assert 'data-unit="D2"' in filtered and signed_in.count("<tr data-unit=") == 2
    assert filtered.count("<tr data-unit=") == sum(
        1 for u in results_services.results_for(cycle)["units"] if (u["band"] or {}).get("code") == band)
    made_up = login(world.users["leader"]).get(f"/cycles/{cycle.pk}/results/?band=nope").content.decode()
    assert made_up.count("<tr data-unit=") == 0
    Cycle.objects.filter(pk=cycle.pk).update(narrative_vi="Năm nay các sở tiến bộ rõ.")
    assert "Năm nay các sở tiến bộ rõ." in login(world.users["leader"]).get(
        f"/cycles/{cycle.pk}/results/").content.decode()


def test_unit_page_of_a_newly_published_cycle(world, login):
    """Last year's unit page is cached; this year's publication and a later rename show up at once."""
    last = world.cycle
    fill_all(world, "D1", 0.5)
    fill_all(world, "D2", 0.9)
    last = _publish(last, world.users["approver"])
    c = login(world.users["leader"])
    body = c.get(f"/cycles/{last.pk}/results/D1/").content.decode()
    assert 'id="unit-rank">2/2<' in body
    this = Cycle.objects.create(name="Kỳ 2027", year=2027, framework=world.record, previous=last)
    parts = {u.code: Participation.objects.create(cycle=this, unit=u) for u in (world.d1, world.d2)}
    fill_part(world.fw, parts["D1"], 0.95)
    fill_part(world.fw, parts["D2"], 0.4)
    this = _publish(this, world.users["approver"])
    body = c.get(f"/cycles/{this.pk}/results/D1/").content.decode()
    assert 'id="unit-rank">1/2<' in body
    history = body.split("Qua các năm")[1]
    assert "2026" in history and "2027" in history
    assert 'id="unit-rank">2/2<' in c.get(f"/cycles/{last.pk}/results/D1/").content.decode()  # unchanged


def test_unit_page_follows_a_lineage_added_after_it_was_cached(world, login):
    last = world.cycle
    old = Unit.objects.create(code="D2-OLD", name="Sở Hai (cũ)", unit_type="department")
    Participation.objects.filter(cycle=last, unit=world.d2).delete()
    Participation.objects.create(cycle=last, unit=old)
    fill_all(world, "D1", 0.5)
    fill_part(world.fw, Participation.objects.get(cycle=last, unit=old), 0.9)
    last = _publish(last, world.users["approver"])
    this = Cycle.objects.create(name="Kỳ 2027", year=2027, framework=world.record, previous=last)
    for u in (world.d1, world.d2):
        fill_part(world.fw, Participation.objects.create(cycle=this, unit=u), 0.7)
    this = _publish(this, world.users["approver"])
    c = login(world.users["leader"])
    assert "(D2-OLD)" not in c.get(f"/cycles/{this.pk}/results/D2/").content.decode()
    UnitLineage.objects.create(predecessor=old, successor=world.d2, kind=LineageKind.RENAME, date="2027-01-01")
    assert "(D2-OLD)" in c.get(f"/cycles/{this.pk}/results/D2/").content.decode()
    # A renamed unit's name shows at once too.
    Unit.objects.filter(pk=world.d2.pk).update(name="Sở Hai Mới")
    assert "<h1>Sở Hai Mới</h1>" in c.get(f"/cycles/{this.pk}/results/D2/").content.decode()


def test_what_the_viewer_may_do_is_part_of_the_key(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.8)
    assert 'name="version"' in login(world.users["admin"]).get(_self_url(world)).content.decode()
    assert 'name="version"' not in login(world.users["leader"]).get(_self_url(world)).content.decode()
    set_state(world.cycle, State.APPRAISAL)
    url = _self_url(world, mode="appraise")
    n_leaves = len(world.fw.leaves("department"))
    body = login(world.users["appraiser"]).get(url).content.decode()
    assert body.count("Lưu điểm thẩm định") == n_leaves
    body = login(world.users["focal"]).get(url).content.decode()
    assert "Lưu điểm thẩm định" not in body and body.count('class="leaf card') == n_leaves
    body = login(world.users["field_appraiser"]).get(url).content.decode()
    in_field = [n for n in world.fw.leaves("department") if n.code.startswith("2.")]
    assert body.count('class="leaf card') == body.count("Lưu điểm thẩm định") == len(in_field)
