"""Error pages are the application's own: in the person's language, with the menu and a way back (not the
server's bare English default)."""

import pytest

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_forbidden_and_not_found_pages_in_the_persons_language(world, login):
    c = login(world.users["focal"])  # focal point of D1
    r = c.get(f"/cycles/{world.cycle.pk}/units/D2/self/")
    page = r.content.decode()
    assert r.status_code == 403 and "Không có quyền truy cập" in page and 'lang="vi"' in page
    assert 'class="brand"' in page and 'href="/"' in page  # the menu and a way back
    r = c.get("/khong-co-trang-nay/")
    assert r.status_code == 404 and "Không tìm thấy trang" in r.content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Access not allowed" in c.get(f"/cycles/{world.cycle.pk}/units/D2/self/").content.decode()
    assert "Page not found" in c.get("/no-such-page/").content.decode()
    assert c.get("/api/no-such-endpoint/").json() == {"detail": "Not found."}  # the API still answers JSON


def test_server_error_page_is_bilingual_and_standalone():
    from django.template import loader

    html = loader.get_template("500.html").render()  # rendered without a request, as Django does
    assert "Đã có lỗi ở máy chủ" in html and "Server error" in html and "không bị ảnh hưởng" in html


def test_pages_name_their_icon(client):
    """Browsers asked for /favicon.ico on every page (404): the pages name the application's own icon."""
    from django.contrib.staticfiles import finders

    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page and finders.find("cchc/favicon.svg")
