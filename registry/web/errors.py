"""Error pages: every HTTP error outside /api/ becomes an HTML page, through the one error path."""

from flask import Flask, render_template
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException

from registry.extensions import api

TITLES = {
    400: "Sorry, there is a problem with your request",
    401: "Sign in to continue",
    403: "You cannot do this",
    404: "Page not found",
    405: "Sorry, there is a problem with your request",
    409: "This could not be done",
    422: "Sorry, there is a problem with your request",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def render_error(error: HTTPException):
    """Render `errors/<code>.html`, or the generic error page, with the error's message."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message") or error.description
    context = {"code": code, "title": TITLES.get(code, error.name), "message": message}
    try:
        body = render_template(f"errors/{code}.html", **context)
    except TemplateNotFound:
        body = render_template("errors/error.html", **context)
    headers = [(k, v) for k, v in error.get_headers() if k.lower() not in ("content-type",)]
    return body, code, headers


def init_app(app: Flask) -> None:
    api.html_error_renderer = render_error
