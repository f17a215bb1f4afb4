"""Render emails (subject, text and HTML) from the Jinja templates in templates/email/.

Templates come from the app's own Jinja environment, whose loader cache keeps each compiled
template for the life of the app.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

from flask import current_app

from mentorhub.mail.content import MailKind, email_context
from mentorhub.mail.links import app_link
from mentorhub.mail.message import RenderedEmail, app_sender

__all__ = ["RenderedEmail", "render_email", "render_generic", "html_to_text"]


def render_email(
    to: str,
    kind: MailKind,
    data: dict,
    unsubscribe_url: str | None = None,
    unsubscribe_label: str | None = None,
    now: datetime | None = None,
) -> RenderedEmail:
    """Subject, text and HTML for one email of a notification type (its declaration).

    A type that is always sent says so in its footer instead of offering a link.
    """
    config = current_app.config
    settings = {
        "platform": config["PLATFORM_NAME"],
        "locale": config.get("EMAIL_LOCALE") or "en_US",
        "payment_policy": config.get("PAYMENT_CANCELLATION_POLICY") or "",
    }
    context = email_context(kind, data, settings, now or datetime.now(UTC))
    locked = kind.always_sent is not None
    context.update(
        unsubscribe_url=None if locked else unsubscribe_url,
        unsubscribe_label=unsubscribe_label,
        locked=locked,
        settings_url=_settings_url(),
        logo_url=config.get("EMAIL_LOGO_URL"),
        reply_to=_reply_address(),
    )
    env = current_app.jinja_env
    return RenderedEmail(
        to=to,
        subject=context["subject"],
        text=env.get_template(f"email/{kind.name}.txt").render(context),
        html=env.get_template(f"email/{kind.name}.html").render(context),
    )


def render_generic(to: str, subject: str, body: str, html: bool) -> RenderedEmail:
    """Wrap a free-form body in the layout; an HTML body also gets a text part of its words."""
    env = current_app.jinja_env
    config = current_app.config
    context = {
        "subject": subject,
        "platform": config["PLATFORM_NAME"],
        "logo_url": config.get("EMAIL_LOGO_URL"),
        "preheader": "",
        "settings_url": _settings_url(),
    }
    text = html_to_text(body) if html else body
    return RenderedEmail(
        to=to,
        subject=subject,
        text=env.get_template("email/generic.txt").render(context, body=text),
        html=env.get_template("email/generic.html").render(context, body=body, body_is_html=html),
    )


def _reply_address() -> str | None:
    # Where a reply to our mail goes, for the mails that invite one: REPLY_TO_EMAIL's address.
    reply_to = app_sender()[1]
    return reply_to.addr_spec if reply_to is not None else None


def _settings_url() -> str:
    return app_link("email_settings")


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, one paragraph per block."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line)


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)
