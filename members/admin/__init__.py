"""The office's back office for organisations, people, link requests, office contacts and
the audit trail."""

from members.admin import accounts, audit, organizations, people, requests  # noqa: F401 (registers)
