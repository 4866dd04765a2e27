"""Numbers of the growth report as the active language writes them: "1.234,5" or "1,234.5",
revenue in "Mio. €" / "€ m", shares in percent, balances in percentage points. A figure that is
not published is "·" (see ``SUPPRESSED``); nothing here ever sees its value."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from reports.aggregation import Figure
from reports.numbers import rounded

SUPPRESSED = "·"
NO_ANSWERS = "–"
NBSP = "\u00a0"
MINUS = "\u2212"  # the typographic minus: "−3,0" rather than "-3,0"


def number(value: float | int, decimals: int = 0, *, sign: bool = False) -> str:
    value = rounded(value, decimals)
    if value == 0:
        value = 0.0  # no "−0,0"
    text = formats.number_format(
        abs(value), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )
    if value < 0:
        return MINUS + text
    return f"+{text}" if sign and value > 0 else text


def _unit(text: str) -> str:
    # A unit stays on the line of its number ("85,7 %", "21,0 Mio. €").
    return text.replace(" ", NBSP)


def percent(value: float | int, *, sign: bool = False) -> str:
    return _unit(_("%(number)s%%") % {"number": number(value, 1, sign=sign)})


def signed(value: float | int) -> str:
    """A balance in percentage points ("+50,0"); the column or the chart names the unit."""
    return number(value, 1, sign=True)


def millions(value: float | int) -> str:
    """Euros as millions with one decimal, the unit written out ("21,0 Mio. €", "€21.0 m")."""
    return _unit(_("€%(number)s m") % {"number": number(value / 1_000_000, 1)})


def millions_bare(value: float | int) -> str:
    """Euros as millions with one decimal, for a column that names the unit in its head."""
    return number(value / 1_000_000, 1)


def count(value: float | int) -> str:
    return number(value, 0)


def figure(item: Figure | None, formatter=count) -> tuple[str, bool]:
    """The text of a figure and whether it is suppressed ("·"); "–" where nobody answered."""
    if item is None or not item.published:
        return SUPPRESSED, True
    if item.value is None:
        return NO_ANSWERS, False
    return formatter(item.value), False


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for ``content:`` in the print document's @page rules)."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    )
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The page footer as a CSS ``content`` value: "Seite " counter(page) " von " counter(pages)
    from the translated "Page %(page)s of %(pages)s", wherever the language puts the numbers."""
    marker = "\x00"
    template = _("Page %(page)s of %(pages)s") % {
        "page": f"{marker}page{marker}",
        "pages": f"{marker}pages{marker}",
    }
    parts = []
    for index, piece in enumerate(template.split(marker)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)
