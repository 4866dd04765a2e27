"""Numbers as people type them: "1.234.567,89" (German) and "1,234,567.89" (English) alike."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_GROUPED_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^\d{1,3}(,\d{3})+$")


def parse_number(text: str, *, language: str | None = None) -> Decimal | None:
    """The number in `text`, or None if it is empty. Raises ValueError if it is not a number.

    With both separators the last one is the decimal separator ("1.234,5", "1,234.5"); a
    separator that occurs more than once groups thousands ("1.234.567", "1,234,567"); a single
    one followed by exactly three digits ("1.234") is read as the page's language writes it:
    a thousands separator in German, a decimal point in English (and the other way round for
    the comma)."""
    value = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    value = value.removesuffix("€").removesuffix("%").removeprefix("€").strip()
    if not value:
        return None
    sign = ""
    if value[0] in "+-−":
        sign, value = ("-" if value[0] in "-−" else ""), value[1:]
    language = (language or get_language() or "de")[:2]
    integer, _sep, fraction = value, "", ""
    if "." in value and "," in value:
        decimal_mark = "." if value.rfind(".") > value.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        integer, _sep, fraction = value.rpartition(decimal_mark)
        if thousands in integer and not _grouped(integer, thousands):
            raise ValueError(text)
        integer = integer.replace(thousands, "")
    elif "," in value or "." in value:
        mark = "," if "," in value else "."
        if value.count(mark) > 1 or (_grouped(value, mark) and (mark == ".") == (language == "de")):
            if not _grouped(value, mark):
                raise ValueError(text)
            integer = value.replace(mark, "")
        else:
            integer, _sep, fraction = value.partition(mark)
    if not integer.isdigit() and integer != "" or (fraction and not fraction.isdigit()):
        raise ValueError(text)
    if not integer and not fraction:
        raise ValueError(text)
    if not (integer.isascii() and fraction.isascii()):
        raise ValueError(text)  # "²" and other digits that int() refuses
    try:
        if not fraction:
            return Decimal(f"{sign}{integer}")
        return Decimal(f"{sign}{integer or '0'}.{fraction}")
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _grouped(value: str, mark: str) -> bool:
    return bool((_GROUPED_DOTS if mark == "." else _GROUPED_COMMAS).match(value))


class NumberField(forms.DecimalField):
    """A decimal field that takes German and English notation, and shows numbers the way the
    page's language writes them."""

    default_error_messages = {
        "invalid": _("Please enter a number, e.g. 1.234.567,89 or 1,234,567.89."),
    }

    def __init__(self, *, min_value=0, max_value=None, decimal_places=2, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(
            min_value=min_value, max_value=max_value, decimal_places=decimal_places, **kwargs
        )
        self.localize = True

    def to_python(self, value):
        if isinstance(value, Decimal | int | float):
            return Decimal(str(value))
        try:
            return parse_number(str(value) if value is not None else "")
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def validate(self, value):
        super(forms.DecimalField, self).validate(value)


class CountField(NumberField):
    """A whole number (a headcount)."""

    default_error_messages = {"invalid": _("Please enter a whole number, e.g. 1.234.")}

    def __init__(self, **kwargs):
        super().__init__(decimal_places=0, **kwargs)
        self.widget.attrs["inputmode"] = "numeric"

    def clean(self, value):
        number = super().clean(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)


def rounded(value: float | int, decimals: int) -> float:
    """Half up, as people round (Django's number formatting cuts floats off instead); the
    report's tables, charts and benchmark sheets all print numbers rounded by this."""
    exponent = Decimal(1).scaleb(-decimals)
    return float(Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP))
