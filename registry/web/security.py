"""Security headers for the pages: a strict Content-Security-Policy and no caching."""

from flask import Flask, request
from flask_login import current_user

#: No inline scripts or styles anywhere on the pages; everything is served by the registry.
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
#: Swagger UI's page (flask-smorest's template) starts the UI with an inline script, so that
#: one path gets its own policy allowing inline scripts; it shows no personal data.
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)
DOCS_PATH = "/api/v1/docs"


def _security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.path == DOCS_PATH:
        headers.setdefault("Content-Security-Policy", DOCS_POLICY)
    elif not request.path.startswith("/api/"):
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
    if _private(response):
        # Pages of a signed-in user may show personal data: never keep them in a cache.
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    return response


def _private(response) -> bool:
    if request.path.startswith("/static/"):
        return False
    if response.mimetype == "text/html":
        return True
    return current_user.is_authenticated


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
