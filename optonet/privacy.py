"""The privacy registry: how each app exports and erases a person's data (GDPR Art. 15, 17, 20).

Each app declares, in its own `privacy.py` next to its models, what it stores about a person:
an `export` that returns a JSON-able section and an `erase` that removes or anonymises the rows
(and scrubs the person's name and address from free text it keeps). The app registers both from
its `AppConfig.ready()`. `members` runs the registry for "Download my data" and for deleting an
account; it imports none of the apps it serves, so a new app joins by registering (pretix's data
shredders are the model).

The registry lives here, at the bottom of the layering, so that every app — `mailings`
included, which sits below `members` — can register without importing upwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ERASED = "(erased)"


@dataclass(frozen=True)
class PersonIdentity:
    """Who is being exported or erased, and the strings that identify them in free text."""

    pk: int
    email: str
    names: tuple[str, ...]  # "Dr. Erika Müller", "Erika Müller" – longest first

    @classmethod
    def of(cls, person) -> PersonIdentity:
        variants = {
            " ".join(p for p in (person.title, person.first_name, person.last_name) if p),
            " ".join(p for p in (person.first_name, person.last_name) if p),
        }
        names = tuple(sorted((v for v in variants if len(v) > 3), key=len, reverse=True))
        return cls(pk=person.pk, email=person.email, names=names)

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.email, *self.names)

    def scrub(self, value: Any) -> Any:
        """The value with every mention of the person replaced; walks JSON-like structures."""
        if isinstance(value, str):
            for term in self.terms:
                if term:
                    value = re.sub(re.escape(term), ERASED, value, flags=re.IGNORECASE)
            return value
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        return value

    def mentions(self, value: Any) -> bool:
        return self.scrub(value) != value


Exporter = Callable[[Any], Any]
Eraser = Callable[[Any, PersonIdentity], None]
Expirer = Callable[[datetime], int]
Merger = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Section:
    name: str
    export: Exporter
    erase: Eraser | None
    expire: Expirer | None
    merge: Merger | None
    erase_order: int


_sections: dict[str, Section] = {}


def register(
    name: str,
    *,
    export: Exporter,
    erase: Eraser | None = None,
    expire: Expirer | None = None,
    merge: Merger | None = None,
    erase_order: int = 100,
) -> None:
    """Declare an app's part.

    `expire(cutoff)` anonymises what is older than the retention period allows (nightly).
    `merge(keep, duplicate)` moves what belongs to `duplicate` (a second record of the same
    human) over to `keep`.
    `erase_order`: lower runs first; the app that deletes the person row itself (members)
    goes last, so that the others still find their rows."""
    _sections[name] = Section(name, export, erase, expire, merge, erase_order)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.erase_order, s.name))


def export_person(person) -> dict[str, Any]:
    """Every registered app's section, keyed by its name."""
    ordered = sorted(_sections.values(), key=lambda s: s.name)
    return {section.name: section.export(person) for section in ordered}


def erase_person(person) -> PersonIdentity:
    """Run every registered eraser, in order; the caller holds the transaction."""
    identity = PersonIdentity.of(person)
    for section in sections():
        if section.erase is not None:
            section.erase(person, identity)
    return identity


def merge_people(keep, duplicate) -> None:
    """Run every registered merger, in erase order (the person row is removed last)."""
    for section in sections():
        if section.merge is not None:
            section.merge(keep, duplicate)


def expire_before(cutoff: datetime) -> int:
    """Retention: every registered app anonymises what is older than `cutoff`."""
    return sum(s.expire(cutoff) for s in sections() if s.expire is not None)


def rows_mentioning(queryset, identity: PersonIdentity, *text_fields: str, json_field: str = ""):
    """Rows whose free text mentions the person, found by the database. JSON is compared as
    text, in its stored and its escaped form (SQLite keeps umlauts escaped)."""
    import json

    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    if json_field:
        queryset = queryset.annotate(_json_text=Cast(json_field, TextField()))
    condition = Q()
    for term in identity.terms:
        for form in {term, json.dumps(term)[1:-1]}:
            for name in text_fields:
                condition |= Q(**{f"{name}__icontains": form})
            if json_field:
                condition |= Q(_json_text__icontains=form)
    return queryset.filter(condition)
