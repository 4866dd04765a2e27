"""Names of downloaded files: ASCII, with umlauts spelled out, dated in Berlin."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from django.utils import timezone

from workinggroups.models import Meeting

# Spelled out as Germans do (ä → ae), and letters that Unicode does not decompose into a base
# letter and an accent (ø, ł, æ); every other accent is dropped by the decomposition (é → e).
TRANSLITERATION = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i",
    }
)  # fmt: skip


def filename_slug(text: str, max_length: int = 40) -> str:
    """`text` as part of a download's file name: lower-case ASCII letters, digits and hyphens,
    with umlauts spelled out ("Rückblick Größe" → "rueckblick-groesse"), not dropped.

    The one helper for every file name built from text (attendee lists, calendar files)."""
    composed = unicodedata.normalize("NFC", text)  # "u" + combining diaeresis is "ü" too
    ascii_text = (
        unicodedata.normalize("NFKD", composed.translate(TRANSLITERATION))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:  # at the end of a word, unless it is one long word
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    return slug


def dated_filename(title: str, when: datetime, extension: str) -> str:
    """optonet-<title>-<day in Berlin>.<extension>, for the files of a meeting."""
    stamp = timezone.localtime(when).date().isoformat()
    name = "-".join(part for part in ("optonet", filename_slug(title), stamp) if part)
    return f"{name}.{extension}"


def attendee_list_filename(meeting: Meeting, file_format: str) -> str:
    return dated_filename(meeting.title, meeting.starts_at, file_format)
