"""Attendee lists as spreadsheets: CSV and XLSX, both rendered from `attendee_list`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from workinggroups.models import Meeting, Registration
from workinggroups.selectors import AttendeeRow

# Spreadsheet programs execute cells that begin with these characters as formulas.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, so that it is shown as text (OWASP)."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _headers() -> list[str]:
    return [
        _("Name"),
        _("Organisation"),
        _("Job title"),
        _("Function"),
        _("E-mail"),
        _("Attendance mode"),
        _("Registered at"),
        _("Status"),
    ]


REGISTERED_AT = 6  # the column of `_headers()` that holds a date and time
# German Excel and LibreOffice show this as "22.11.2026 14:00"; the cell holds a real date.
XLSX_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


def _registered_at(row: AttendeeRow) -> datetime:
    """Berlin wall-clock time without a zone: spreadsheets know no time zones."""
    return timezone.localtime(row.registered_at).replace(tzinfo=None, microsecond=0)


def _cells(row: AttendeeRow) -> list[str]:
    registered = _registered_at(row).strftime("%d.%m.%Y %H:%M")
    return [
        neutralise(v)
        for v in (row.name, row.organization, row.job_title, row.function, row.email, row.mode)
    ] + [registered, row.status]


def attendees_csv(rows: Sequence[AttendeeRow]) -> bytes:
    """UTF-8 with BOM and semicolons: what German Excel opens correctly by double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(_headers())
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def attendees_xlsx(meeting: Meeting, rows: Sequence[AttendeeRow]) -> bytes:
    """One sheet for confirmed attendees, one for the waiting list; header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    sheets = [
        (workbook.active, _("Confirmed"), Registration.Status.CONFIRMED),
        (workbook.create_sheet(), _("Waiting list"), Registration.Status.WAITLISTED),
    ]
    headers = _headers()
    widths = [len(h) for h in headers]
    for sheet, title, status in sheets:
        sheet.title = title[:31]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="0B4F8A")
        for row in rows:
            if row.status_code != status:
                continue
            cells: list = _cells(row)
            for index, value in enumerate(cells):
                widths[index] = max(widths[index], min(len(value), 60))
            cells[REGISTERED_AT] = _registered_at(row)
            sheet.append(cells)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    for sheet, _title, _status in sheets:
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width + 2
    workbook.properties.title = meeting.title[:200]
    workbook.properties.creator = "OptoNet e.V."
    for sheet, _title, _status in sheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if cell.column - 1 == REGISTERED_AT:
                    cell.number_format = XLSX_DATETIME_FORMAT
                else:
                    # Text stays text: openpyxl would otherwise treat "=..." as a formula.
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
