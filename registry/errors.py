"""Service-level errors and the single path that turns any error into a response."""

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, default_exceptions


class RegistryError(Exception):
    """A use case refused the request; `http_status` says how the API answers.

    `errors` maps each field to its messages; `location` says where the fields were sent
    (the JSON body, or the query string), as the API's 422s for unreadable input do.
    """

    http_status = 400

    def __init__(
        self, message: str, errors: dict[str, list[str]] | None = None, location: str = "json"
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.location = location


class NotFound(RegistryError):
    http_status = 404


class Forbidden(RegistryError):
    http_status = 403


class Conflict(RegistryError):
    http_status = 409


class Invalid(RegistryError):
    """Field values that fail a rule; `errors` maps each JSON field to its messages."""

    http_status = 422


class RegistryApi(Api):
    """flask-smorest's Api with one error path for the JSON API and the pages.

    smorest registers its JSON handler for every HTTPException app-wide. Pages outside
    `/api/` get HTML instead, rendered by the hook the web package installs.
    """

    html_error_renderer = None

    def handle_http_exception(self, error: HTTPException):
        if self.html_error_renderer is not None and not request.path.startswith("/api/"):
            return self.html_error_renderer(error)
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", _default_message(error))
        # Keep the headers werkzeug attaches (e.g. `Allow` on 405), which smorest drops.
        extra = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return payload, code, {**extra, **(headers or {})}


def _default_message(error: HTTPException) -> str:
    if error.code == 422:
        return "Some values are not valid: see errors for a message per field."
    if error.code == 400:
        return "The request could not be read: send a valid JSON body."
    return error.description or error.name


def _registry_error_response(err: RegistryError):
    from registry.extensions import api

    exc = default_exceptions[err.http_status]()
    exc.data = {"message": err.message}
    if err.errors is not None:
        exc.data["errors"] = {err.location: err.errors}
    return api.handle_http_exception(exc)


def init_app(app: Flask) -> None:
    app.register_error_handler(RegistryError, _registry_error_response)
