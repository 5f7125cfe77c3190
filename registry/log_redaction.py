"""Keep people's identifiers out of the logs: URLs that name a subject are redacted."""

import logging
import re

from flask import Flask

#: `/subjects/<identifier>/...` paths and `subject=` parameters name a person: never log them.
_SUBJECT_SEGMENT = re.compile(r"(/subjects/)[^/?#\s\"]+")
_SUBJECT_PARAMETER = re.compile(r"([?&]subject=)[^&#\s\"]*")


def redact_subjects(text: str) -> str:
    """The text with every subject identifier in a URL path or query replaced."""
    if "subject" not in text:
        return text
    text = _SUBJECT_SEGMENT.sub(r"\1[redacted]", text)
    return _SUBJECT_PARAMETER.sub(r"\1[redacted]", text)


class SubjectRedactingFilter(logging.Filter):
    """Rewrites log records (e.g. werkzeug's request lines) that would carry an identifier."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_subjects(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def init_app(app: Flask) -> None:
    """Filter the development server's request log and the app's own (error) log."""
    for logger in (logging.getLogger("werkzeug"), app.logger):
        if not any(isinstance(f, SubjectRedactingFilter) for f in logger.filters):
            logger.addFilter(SubjectRedactingFilter())
