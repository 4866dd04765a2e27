"""Small helpers for the admin's list filters."""

from __future__ import annotations

from django.contrib.admin import FieldListFilter


def titled_filter(filter_class: type[FieldListFilter], title) -> type[FieldListFilter]:
    """`filter_class` under another title: for two filters on fields of the same name (the
    groups a person follows, the groups they moderate) and for fields of other packages that
    have no translated verbose name."""

    class TitledFilter(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    TitledFilter.__name__ = f"Titled{filter_class.__name__}"
    return TitledFilter
