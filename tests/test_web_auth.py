"""Pages: sign-in and out, throttling, CSRF, security headers and cookie flags."""

import re

import pytest

from config import TestingConfig
from registry import create_app
from registry.extensions import db
from tests.helpers import PASSWORD, World


@pytest.fixture
def make_app(database_url):
    """Apps with extra settings over the test database, each with the world; engines disposed."""
    apps = []

    def build(**overrides):
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, **overrides)
        with app.app_context():
            if not apps:
                World.build()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def sign_in(client, key: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": f"{key}@example.org", "password": password})


def csrf_token(client, path: str) -> str:
    page = client.get(path).text
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def test_anonymous_pages_redirect_to_sign_in(client, world):
    response = client.get("/agreements?status=active")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/agreements")
    assert client.get("/").headers["Location"] == "/sign-in"


def test_pages_ignore_a_bearer_token(client, world):
    """A bearer token is for the API; pages take only the signed session cookie."""
    headers = world.headers("prac_csc")
    for path in ("/", "/checks/new", "/agreements"):
        response = client.get(path, headers=headers)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/sign-in"), path


def test_sign_in_page_renders(client, world):
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert "Sign in" in page.text
    assert "govuk-frontend.min.css" in page.text
    assert "GDS Transport" not in page.text and "crown" not in page.text.lower()


def test_wrong_password_shows_error_summary(client, world):
    page = sign_in(client, "prac_csc", "wrong-password-123")
    assert page.status_code == 200
    assert "There is a problem" in page.text
    assert 'href="#email"' in page.text
    assert page.text.count("Enter a correct email address and password") >= 2
    assert "<title>Error: " in page.text


def test_sign_in_goes_to_next_page_then_sign_out(client, world):
    response = client.post(
        "/sign-in?next=/agreements",
        data={"email": "PRAC_CSC@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/agreements"
    assert client.get("/").status_code == 200
    assert client.post("/sign-out").headers["Location"] == "/signed-out"
    assert client.get("/").status_code == 302


def test_next_must_be_a_local_path(client, world):
    response = client.post(
        "/sign-in?next=//evil.example/x",
        data={"email": "prac_csc@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_deactivated_user_session_ends(client, world, app):
    sign_in(client, "prac_csc")
    assert client.get("/").status_code == 200
    admin = app.test_client()
    sign_in(admin, "admin")
    user_id = world.users["prac_csc"]
    response = admin.post(
        f"/users/{user_id}", data={"name": "Prac Csc", "role": "practitioner", "active": "no"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_failed_sign_ins_are_throttled(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "prac_csc", "wrong-password-123").status_code == 200
    blocked = sign_in(client, "prac_csc", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text


def test_successful_sign_ins_are_not_counted(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    for _ in range(4):
        client = app.test_client()
        assert sign_in(client, "prac_csc").status_code == 302


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_csrf_rejects_a_form_without_token(csrf_app):
    client = csrf_app.test_client()
    response = sign_in(client, "prac_csc")
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert "The CSRF token is missing" in response.text


def test_csrf_accepts_a_form_with_its_token(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": "prac_csc@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert client.post("/sign-out").status_code == 400  # no token: refused
    token = csrf_token(client, "/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302


def test_api_is_exempt_from_csrf_and_ignores_the_session(csrf_app):
    client = csrf_app.test_client()
    token = client.post(
        "/api/v1/tokens", json={"email": "prac_csc@example.org", "password": PASSWORD}
    )
    assert token.status_code == 201
    page_token = csrf_token(client, "/sign-in")
    client.post(
        "/sign-in",
        data={"email": "prac_csc@example.org", "password": PASSWORD, "csrf_token": page_token},
    )
    assert client.get("/api/v1/agreements").status_code == 401


def test_pages_send_csp_and_no_store(client, world):
    sign_in(client, "prac_csc")
    page = client.get("/agreements")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.text and " style=" not in page.text


def test_static_files_may_be_cached_and_docs_have_their_own_policy(client, world):
    with client.get("/static/app.css") as css:
        assert css.status_code == 200
        assert "no-store" not in css.headers.get("Cache-Control", "")
    docs = client.get("/api/v1/docs")
    assert "'unsafe-inline'" in docs.headers["Content-Security-Policy"]


def test_session_cookie_flags(client, world):
    response = sign_in(client, "prac_csc")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_development(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    response = sign_in(app.test_client(), "prac_csc")
    assert "Secure" in response.headers["Set-Cookie"]
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
