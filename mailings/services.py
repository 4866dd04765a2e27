"""The outbox: every e-mail is written as a row in the same transaction as its cause, then sent
by a worker that claims rows under a lease, exactly once.

States: queued → sending → sent | failed | uncertain (| cancelled when obsolete).
- A worker claims due rows atomically (`SELECT … FOR UPDATE SKIP LOCKED`, queued → sending with
  a lease) and sends them over one SMTP connection, recording each answer at once.
- Just before a message is handed to the SMTP server, `handed_over_at` is set. A row found in
  `sending` after its lease ran out was therefore either never handed over (it goes back to
  the queue) or perhaps delivered: `uncertain`, for the office to decide — the machine never
  risks sending it twice.
- Transient SMTP errors (4xx, connection) go back to the queue with exponential backoff, a
  bounded number of times; permanent ones (5xx) fail at once, with the error.
- After commit a task is asked to deliver; a beat job every minute picks up what a lost task
  (broker down, worker killed) left behind. A broker outage delays e-mail, never loses it.
"""

from __future__ import annotations

import json
import logging
import math
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mailings.models import OutboxMessage, Suppression, address_hash
from mailings.registry import Rendered, renderer_for
from mailings.rendering import MessageFactory, email_message, stored_content
from optonet.bulk import db_datetime, insert_rows

logger = logging.getLogger(__name__)
State = OutboxMessage.State

MAX_ATTEMPTS = 8
BATCH_SIZE = 100


def is_transient_smtp_error(exc: BaseException) -> bool:
    """Worth retrying: connection problems and 4xx answers. 5xx answers are final."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc,
        smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | TimeoutError,
    )


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … after the 1st, 2nd, 3rd attempt; at most 30 min."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


# --- Writing messages --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMessage:
    """One message to queue. Give `rendered`, or a `renderer` name with its `params`."""

    kind: str
    to_email: str
    language: str = "de"
    recipient_id: int | None = None
    rendered: Rendered | None = None
    renderer: str = ""
    params: dict | None = None
    dedup_key: str | None = None
    batch: str = ""
    sensitive: bool = False
    essential: bool = True

    def row(self) -> OutboxMessage:
        rendered = self.rendered
        return OutboxMessage(
            kind=self.kind,
            recipient_id=self.recipient_id,
            to_email=self.to_email,
            language=self.language,
            renderer="" if rendered else self.renderer,
            params=self.params or {},
            subject=rendered.subject[:300] if rendered else "",
            body_text=rendered.text if rendered else "",
            body_html=rendered.html if rendered else "",
            attachments=[a.as_json() for a in rendered.attachments] if rendered else [],
            headers=rendered.headers if rendered else {},
            dedup_key=self.dedup_key,
            batch=self.batch,
            sensitive=self.sensitive,
            essential=self.essential,
        )


def suppressed_addresses(emails: Iterable[str]) -> set[str]:
    """Those of `emails` whose owners objected to non-essential e-mail."""
    emails = list(emails)
    if not emails:
        return set()
    objections = Suppression.objects.values_list("address_hash", flat=True)
    if len(emails) > 500:  # a campaign: the list of objections is the shorter one to read
        hashes = set(objections)
        return {e for e in emails if address_hash(e) in hashes}
    by_hash = {address_hash(e): e for e in emails}
    return {by_hash[h] for h in objections.filter(address_hash__in=list(by_hash))}


def outbox_enqueue(message: NewMessage, *, kick: bool = True) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; sent after commit. Returns None if a
    message with the same `dedup_key` exists already, or if the recipient objected to
    non-essential e-mail."""
    if not message.essential and suppressed_addresses([message.to_email]):
        return None
    row = message.row()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if message.dedup_key and OutboxMessage.objects.filter(dedup_key=message.dedup_key).exists():
            return None
        raise
    if kick:
        request_delivery()
    return row


def outbox_enqueue_many(messages: Sequence[NewMessage]) -> int:
    """Queue many messages at once (a campaign). Rows whose `dedup_key` exists already are
    skipped by the database. Messages that name a renderer go in with one fast insert (a
    campaign to ten thousand people in a fraction of a second). Returns how many were queued."""
    suppressed = suppressed_addresses(m.to_email for m in messages if not m.essential)
    messages = [m for m in messages if m.essential or m.to_email not in suppressed]
    queued = 0
    rendered = [m for m in messages if m.rendered is not None]
    for message in rendered:
        queued += outbox_enqueue(message, kick=False) is not None
    lazy = [m for m in messages if m.rendered is None]
    if lazy:
        now = db_datetime(timezone.now())
        queued += insert_rows(
            OutboxMessage,
            [
                "kind",
                "recipient",
                "to_email",
                "language",
                "renderer",
                "params",
                "sensitive",
                "essential",
                "dedup_key",
                "batch",
            ],
            (
                (
                    m.kind,
                    m.recipient_id,
                    m.to_email,
                    m.language,
                    m.renderer,
                    json.dumps(m.params or {}),
                    m.sensitive,
                    m.essential,
                    m.dedup_key,
                    m.batch,
                )
                for m in lazy
            ),
            constants={
                "subject": "",
                "body_text": "",
                "body_html": "",
                "attachments": "[]",
                "headers": "{}",
                "state": State.QUEUED,
                "attempts": 0,
                "last_error": "",
                "next_attempt_at": now,
                "created_at": now,
            },
            ignore_conflicts=True,
        )
    if queued:
        request_delivery(expected=queued)
    return queued


def request_delivery(*, expected: int = 1) -> None:
    """After commit, ask workers to deliver; enough tasks to keep every worker busy."""
    from mailings.tasks import deliver_outbox

    tasks = max(1, min(settings.OUTBOX_PARALLEL_TASKS, math.ceil(expected / BATCH_SIZE)))

    def kick():
        for _ in range(tasks):
            deliver_outbox.delay()

    # robust: a broker that is down must not fail the person's request; the sweep catches up.
    transaction.on_commit(kick, robust=True)


# --- Sending -----------------------------------------------------------------------------------


def _claim(limit: int) -> list[OutboxMessage]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(state=State.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids).update(
            state=State.SENDING,
            lease_expires_at=now + _lease(),
            handed_over_at=None,
            attempts=F("attempts") + 1,
        )
    return list(OutboxMessage.objects.filter(id__in=ids).order_by("id"))


def _render(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """Render rows that name a renderer, a renderer's rows at a time. Returns the rows to send;
    obsolete ones are cancelled, and a renderer that fails fails its rows (with the error).
    Every attempt renders again (a retry, the office's resend): the subject kept with an
    earlier attempt is for the office's list only; the text was never stored."""
    pending: dict[str, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        if row.renderer:
            pending[row.renderer].append(row)
    dropped: set[int] = set()
    for name, group in pending.items():
        try:
            results = renderer_for(name)(group)
        except Exception as exc:  # a bug in a renderer must not stop the other messages
            logger.exception("renderer %s failed", name)
            for row in group:
                _finish(row, State.FAILED, error=f"rendering failed: {exc!r}"[:2000])
                dropped.add(row.pk)
            continue
        for row in group:
            rendered = results.get(row.pk)
            if rendered is None:
                _finish(row, State.CANCELLED, error="no longer applies")
                dropped.add(row.pk)
                continue
            row.content = rendered
            row.subject = (
                rendered.personalised().subject[:300]
                if rendered.personal
                else (rendered.subject[:300])
            )
    return [row for row in rows if row.pk not in dropped]


def _finish(row: OutboxMessage, state: str, *, error: str | None = None, **extra) -> None:
    """Record the outcome of a claimed row (only if it is still ours: state sending). Without
    an `error` the previous one stays: a message sent at the third attempt shows why the
    first two failed."""
    if error is not None:
        extra["last_error"] = error
    OutboxMessage.objects.filter(pk=row.pk, state=State.SENDING).update(
        state=state, lease_expires_at=None, **extra
    )


def _content_fields(row: OutboxMessage, *, sent: bool) -> dict:
    """What is stored with the outcome. A message rendered by the worker keeps its subject (its
    text is rebuilt from the current data when the office looks at it, or when it is sent
    again). A message with a secret keeps its text until it is sent, since a retry or the
    office's resend needs it (the admin never shows it), and its subject only after."""
    if row.sensitive and sent:
        return {"body_text": "", "body_html": "", "attachments": []}
    if row.renderer:
        return {"subject": row.subject}
    return {}


def _record_failure(row: OutboxMessage, exc: BaseException) -> dict:
    """The outcome fields for a failed send: back to the queue (transient) or failed."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if is_transient_smtp_error(exc) and row.attempts < MAX_ATTEMPTS:
        return {
            "state": State.QUEUED,
            "last_error": error,
            "handed_over_at": None,
            "next_attempt_at": timezone.now() + retry_delay(row.attempts),
            **_content_fields(row, sent=False),
        }
    return {"state": State.FAILED, "last_error": error, **_content_fields(row, sent=False)}


class _Journal:
    """Records the messages' fate with few commits: before a group of messages goes to the
    SMTP server, their hand-over marks are committed (together with the outcomes of the group
    before). A worker that dies leaves at most one group's rows handed over without an
    outcome: those become uncertain; everything else is known. Committing once a group
    instead of once a message is what lets a campaign send hundreds of messages a second."""

    def __init__(self):
        self.outcomes: list[tuple[int, dict]] = []

    def hand_over(self, rows: list[OutboxMessage]) -> None:
        now = timezone.now()
        with transaction.atomic():
            self._write_outcomes()
            OutboxMessage.objects.filter(
                pk__in=[row.pk for row in rows], state=State.SENDING
            ).update(handed_over_at=now)

    def outcome(self, row: OutboxMessage, fields: dict) -> None:
        self.outcomes.append((row.pk, fields))

    def _write_outcomes(self) -> None:
        for pk, fields in self.outcomes:
            OutboxMessage.objects.filter(pk=pk, state=State.SENDING).update(
                lease_expires_at=None, **fields
            )
        self.outcomes = []

    def flush(self) -> None:
        if self.outcomes:
            with transaction.atomic():
                self._write_outcomes()


def outbox_deliver(*, limit: int = BATCH_SIZE) -> int:
    """Claim up to `limit` due messages and send them over one SMTP connection. Returns how
    many were claimed (0: nothing due)."""
    rows = _claim(limit)
    if not rows:
        return 0
    sendable = _render(rows)
    connection = get_connection(fail_silently=False)
    journal = _Journal()
    factory = MessageFactory()
    group = settings.OUTBOX_HANDOVER_GROUP
    try:
        for start in range(0, len(sendable), group):
            chunk = sendable[start : start + group]
            journal.hand_over(chunk)
            for row in chunk:
                _send_one(connection, row, journal, factory)
    finally:
        journal.flush()
        _close_quietly(connection)
    return len(rows)


def _send_one(connection, row: OutboxMessage, journal: _Journal, factory) -> None:
    content = getattr(row, "content", None) or stored_content(row)
    tag = f"{row.kind}/{row.pk}"
    try:
        smtp = _smtp_session(connection)
        data = smtp and factory.shared_bytes(to=row.to_email, tag=tag, content=content)
        if data:
            smtp.sendmail(parseaddr(settings.DEFAULT_FROM_EMAIL)[1], [row.to_email], data)
        else:
            connection.send_messages(
                [
                    email_message(
                        to=row.to_email,
                        tag=tag,
                        content=content.personalised(),
                        connection=connection,
                    )
                ]
            )
    except Exception as exc:
        journal.outcome(row, _record_failure(row, exc))
        # After a broken connection the next message opens a fresh one.
        if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
            _close_quietly(connection)
        return
    journal.outcome(
        row, {"state": State.SENT, "sent_at": timezone.now(), **_content_fields(row, sent=True)}
    )


def _smtp_session(connection):
    """The open smtplib session of Django's SMTP backend (opened once per batch), or None for
    other backends (console, files, memory), which get fully built messages."""
    from django.core.mail.backends.smtp import EmailBackend

    if not isinstance(connection, EmailBackend):
        return None
    if connection.connection is None:
        connection.open()
    return connection.connection


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail; nothing to do
        logger.debug("closing the SMTP connection failed", exc_info=True)


def outbox_release_expired_leases(*, now: datetime | None = None) -> dict[str, int]:
    """Rows whose worker died: back to the queue if never handed to SMTP, else uncertain."""
    now = now or timezone.now()
    expired = OutboxMessage.objects.filter(state=State.SENDING, lease_expires_at__lt=now)
    requeued = expired.filter(handed_over_at__isnull=True).update(
        state=State.QUEUED, lease_expires_at=None, next_attempt_at=now
    )
    uncertain = expired.filter(handed_over_at__isnull=False).update(
        state=State.UNCERTAIN,
        lease_expires_at=None,
        last_error=(
            "The worker stopped after handing this message to the SMTP server and before "
            "recording its answer: it may have been delivered. Resend only if you know it "
            "was not."
        ),
    )
    return {"requeued": requeued, "uncertain": uncertain}


def outbox_sweep() -> dict[str, int]:
    """Every minute (beat): release expired leases and ask for delivery of what is due."""
    released = outbox_release_expired_leases()
    due = OutboxMessage.objects.filter(
        state=State.QUEUED, next_attempt_at__lte=timezone.now()
    ).count()
    if due:
        from mailings.tasks import deliver_outbox

        for _ in range(max(1, min(settings.OUTBOX_PARALLEL_TASKS, math.ceil(due / BATCH_SIZE)))):
            deliver_outbox.delay()
    return {**released, "due": due}


def outbox_resend(*, message_id: int, actor) -> OutboxMessage:
    """The office sends a failed or uncertain message again (a deliberate human decision)."""
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if row.state not in (State.FAILED, State.UNCERTAIN):
            return row
        row.state = State.QUEUED
        row.next_attempt_at = timezone.now()
        row.attempts = 0
        row.handed_over_at = None
        row.last_error = (
            f"{row.last_error}\n[{timezone.now():%Y-%m-%d %H:%M}] resent by "
            f"{getattr(actor, 'email', actor)}"
        ).strip()[:4000]
        row.save(
            update_fields=["state", "next_attempt_at", "attempts", "handed_over_at", "last_error"]
        )
        request_delivery()
    return row
