"""Who is on a meeting's attendee list, with which fields: the one source of CSV, XLSX and PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from workinggroups.models import Meeting, Registration


@dataclass(frozen=True)
class AttendeeRow:
    """One line of a meeting's attendee list, the same for CSV, XLSX and PDF."""

    name: str
    organization: str
    job_title: str
    function: str
    email: str
    mode: str
    registered_at: Any
    status: str
    status_code: str


def attendee_list(meeting: Meeting) -> list[AttendeeRow]:
    """Who is on a meeting's list, with which fields: confirmed first, then the waiting list in
    its order. Cancelled registrations are not listed. One query, whatever the size."""
    from members.models import Function

    functions = dict(Function.choices)
    modes = dict(Registration.Mode.choices)
    statuses = dict(Registration.Status.choices)
    registrations = (
        Registration.objects.filter(meeting=meeting)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("user", "organization")
        .order_by("status", "created_at", "id")  # "confirmed" sorts before "waitlisted"
    )
    rows = []
    for registration in registrations:
        person = registration.user
        organization = registration.organization.name if registration.organization else ""
        rows.append(
            AttendeeRow(
                name=person.full_name if person else _("(anonymised)"),
                organization=organization,
                job_title=person.job_title if person else "",
                function=str(functions.get(person.function, "")) if person else "",
                email=person.email if person else "",
                mode=str(modes.get(registration.mode, "")),
                registered_at=registration.created_at,
                status=str(statuses[registration.status]),
                status_code=registration.status,
            )
        )
    confirmed = sorted(
        (r for r in rows if r.status_code == Registration.Status.CONFIRMED),
        key=lambda r: (
            _collation_key(r.name.split()[-1] if r.name else ""),
            _collation_key(r.name),
        ),
    )
    waiting = [r for r in rows if r.status_code == Registration.Status.WAITLISTED]
    return confirmed + waiting


def _collation_key(text: str) -> str:
    """Alphabetical as a German reader expects: "Åström" with the A's, "Öztürk" with the O's."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
