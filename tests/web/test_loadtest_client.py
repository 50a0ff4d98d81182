"""The load test's HTTP client (benchmarks/web_load.py Client): signs in with the CSRF token, keeps the session, and
reopens a connection the server closed."""

import pytest
from benchmarks.web_load import PASSWORD, Client
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.db, pytest.mark.django_db(transaction=True)]


def test_client_signs_in_and_keeps_the_session(live_server):
    get_user_model().objects.create_user("load", "load@example.invalid", PASSWORD)
    c = Client(live_server.url)
    c.login("load", PASSWORD)
    assert Client(live_server.url).request("GET", "/")[0] == 302  # signed out: sent to the sign-in page
    assert "load" in c.get("/").decode()  # signed in: 200 (get raises otherwise), the user's name in the menu
    c.close()  # as a server closing an idle keep-alive connection: the next request reconnects
    assert b"<html" in c.get("/")
    assert c.connections >= 2


def test_client_reports_a_failed_sign_in(live_server):
    c = Client(live_server.url)
    with pytest.raises(RuntimeError, match="login as 'load' failed"):
        c.login("load", "wrong-password")
