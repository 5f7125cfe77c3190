"""The agencies a form field offers, read only as far as the field needs them.

A field that lists its agencies reads them all (`choices`); past its threshold a field takes
typed codes instead and reads only those (`as_stored`, `in_order`). With every agency in
England, tens of thousands, reading them all made each form 0.6 s and 2 MB
(docs/performance.md, item 40).
"""

from sqlalchemy import Select, func, select

from registry.extensions import db
from registry.models import Agency
from registry.web import forms


class AgencyOptions:
    """The agencies of `query` (a select of Agency rows, in the order to show them)."""

    def __init__(self, query: Select) -> None:
        self.query = query
        self.count = db.session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )

    def choices(self) -> list[tuple[str, str]]:
        """(code, name) of every offered agency, in order."""
        rows = db.session.execute(self.query.with_only_columns(Agency.code, Agency.name))
        return [(code, name) for code, name in rows]

    def as_stored(self, typed) -> dict[str, str]:
        """Each typed code that an offered agency has, in any case, upper-cased: that code."""
        wanted = {code.upper() for code in typed if code}
        if not wanted:
            return {}
        found = self.query.with_only_columns(Agency.code).where(func.upper(Agency.code).in_(wanted))
        return {code.upper(): code for code in db.session.scalars(found)}

    def in_order(self, codes) -> list[str]:
        """These codes of offered agencies, in the options' order."""
        if not codes:
            return []
        return list(
            db.session.scalars(
                self.query.with_only_columns(Agency.code).where(Agency.code.in_(set(codes)))
            )
        )


def filter_choices() -> list[tuple[str, str]] | None:
    """(code, name) of every agency for a list's agency filter; None past AGENCY_SELECT_MAX,
    where the filter takes a typed code (`agency_filter` in templates/_macros.html)."""
    offered = all_agencies()
    return None if offered.count > forms.AGENCY_SELECT_MAX else offered.choices()


def stored_code(typed: str) -> str:
    """A list filter's agency code as the agency has it, typed in any case, as the forms take
    codes (unchanged when no agency has it, so the list is then empty)."""
    typed = typed.strip()
    return all_agencies().as_stored([typed]).get(typed.upper(), typed)


def all_agencies() -> AgencyOptions:
    return AgencyOptions(select(Agency).order_by(Agency.name, Agency.code))


def active_agencies() -> AgencyOptions:
    return AgencyOptions(select(Agency).where(Agency.active).order_by(Agency.name, Agency.code))
