"""The office's back office for organisations, people, link requests and office contacts."""

from members.admin import accounts, organizations, people, requests  # noqa: F401 (registers)
