"""Renderers: how apps above `mailings` turn a queued message into subject, bodies and
attachments, at the moment it is sent.

An app registers `renderer(messages) -> {message id: Rendered | None}` under a name (in its
`AppConfig.ready()`) and queues messages naming it, with the ids it needs in `params`. The
renderer gets a whole batch at once, so that what all messages share (the meeting, a template
per language) is loaded and rendered once. `None` means the message is no longer true (the
registration was cancelled meanwhile) and is not sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str

    def as_json(self) -> dict:
        import base64

        data = self.content.encode() if isinstance(self.content, str) else self.content
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(data).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict) -> Attachment:
        import base64

        return cls(data["filename"], base64.b64decode(data["content_b64"]), data["mimetype"])


@dataclass
class Rendered:
    """A message's content. For many messages sharing most of it (a campaign), a renderer may
    return the shared content with placeholders plus each message's `personal` values: the
    worker then builds the MIME message once per `shared` object and fills it in per
    recipient, instead of building thousands of nearly identical messages."""

    subject: str
    text: str
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    personal: dict[str, str] = field(default_factory=dict)  # placeholder -> value
    shared: object | None = None  # the same object for all messages sharing content

    def personalised(self) -> Rendered:
        """The content with the placeholders filled in (the general, slower path)."""
        if not self.personal:
            return self

        def fill(value):
            for placeholder, personal in self.personal.items():
                value = value.replace(placeholder, personal)
            return value

        return Rendered(
            subject=fill(self.subject),
            text=fill(self.text),
            html=fill(self.html),
            attachments=[
                Attachment(
                    a.filename,
                    fill(a.content) if isinstance(a.content, str) else a.content,
                    a.mimetype,
                )
                for a in self.attachments
            ],
            headers={k: fill(v) for k, v in self.headers.items()},
        )


Renderer = Callable[[Sequence], dict[int, Rendered | None]]
_renderers: dict[str, Renderer] = {}


def register_renderer(name: str, renderer: Renderer) -> None:
    _renderers[name] = renderer


def renderer_for(name: str) -> Renderer:
    try:
        return _renderers[name]
    except KeyError as exc:
        raise LookupError(f"no e-mail renderer registered as {name!r}") from exc
