"""Attendee list files: CSV and XLSX (`tabular`), the PDF sign-in sheet (`sheet`), and the names
of the downloads (`filenames`), all rendered from `selectors.attendee_list`."""

from workinggroups.exports.filenames import (
    TRANSLITERATION,
    attendee_list_filename,
    dated_filename,
    filename_slug,
)
from workinggroups.exports.sheet import attendees_pdf
from workinggroups.exports.tabular import (
    FORMULA_TRIGGERS,
    REGISTERED_AT,
    XLSX_DATETIME_FORMAT,
    attendees_csv,
    attendees_xlsx,
    neutralise,
)

__all__ = [
    "FORMULA_TRIGGERS",
    "REGISTERED_AT",
    "TRANSLITERATION",
    "XLSX_DATETIME_FORMAT",
    "attendee_list_filename",
    "attendees_csv",
    "attendees_pdf",
    "attendees_xlsx",
    "dated_filename",
    "filename_slug",
    "neutralise",
]
