"""flask-smorest's Blueprint, parsing every request with one schema instance per endpoint."""

import flask_smorest


class Blueprint(flask_smorest.Blueprint):
    """Given a schema class, webargs builds a new instance for every request, and marshmallow
    deep-copies every field to do it (about 50 µs a request, measured in docs/performance.md).
    Loading is stateless, so one instance made when the endpoint is declared does the same."""

    def arguments(self, schema, *args, **kwargs):
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)
