"""Render notification emails (subject, text and HTML) from the Jinja templates in email/."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from weakref import WeakKeyDictionary

from flask import current_app
from jinja2 import Environment, Template

from mentorhub.notifications.types import get_type, human_time, time_until

_TEMPLATES: WeakKeyDictionary[Environment, dict[str, Template]] = WeakKeyDictionary()


@dataclass
class RenderedEmail:
    """A message ready for the email service."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None

    def as_bytes(self, sender: str) -> bytes:
        """The whole message from `sender`, as `smtplib.SMTP.sendmail` takes it."""
        from mentorhub.mail.mime import build_message

        return build_message(
            sender=sender,
            to=self.to,
            subject=self.subject,
            text=self.text,
            html=self.html,
            message_id=self.message_id,
            headers=self.headers,
        )


def template_context(type_name: str, data: dict) -> dict:
    """The data plus derived, human-readable fields every template may use."""
    context = dict(data)
    context.setdefault("platform", current_app.config["PLATFORM_NAME"])
    if "scheduled_time" in data:
        context["scheduled_time_human"] = human_time(data["scheduled_time"])
        # Worked out when the mail is rendered, so a late job still says the truth.
        if type_name == "session_reminder" and not data.get("time_until"):
            context["time_until"] = time_until(data["scheduled_time"])
    context.setdefault("time_until", "soon")
    return context


def render_subject(type_name: str, data: dict, context: dict | None = None) -> str:
    """The subject line of a type, filled from its data; never contains a line break."""
    context = context if context is not None else template_context(type_name, data)
    subject = get_type(type_name).subject.format_map(_Defaulting(context))
    return " ".join(subject.split())


def render_in_app_text(type_name: str, data: dict) -> str:
    """The short in-app text of a type."""
    text = get_type(type_name).in_app.format_map(_Defaulting(template_context(type_name, data)))
    return " ".join(text.split())


def render_email(
    to: str,
    type_name: str,
    data: dict,
    unsubscribe_url: str | None = None,
    unsubscribe_label: str | None = None,
) -> RenderedEmail:
    """Subject, text and HTML for one notification email."""
    context = template_context(type_name, data)
    subject = render_subject(type_name, data, context)
    context["unsubscribe_url"] = unsubscribe_url
    context["unsubscribe_label"] = unsubscribe_label
    env = current_app.jinja_env
    return RenderedEmail(
        to=to,
        subject=subject,
        text=_template(env, f"email/{type_name}.txt").render(context),
        html=_template(env, f"email/{type_name}.html").render(context),
    )


def _template(env: Environment, name: str) -> Template:
    # Jinja's own cache is a locked LRU lookup per call; a worker renders the same dozen
    # templates thousands of times. With auto_reload (debug) Jinja checks the file each time.
    if env.auto_reload:
        return env.get_template(name)
    cache = _TEMPLATES.setdefault(env, {})
    template = cache.get(name)
    if template is None:
        template = cache[name] = env.get_template(name)
    return template


def render_generic(to: str, subject: str, body: str, html: bool) -> RenderedEmail:
    """Wrap a free-form body in the layout; an HTML body also gets a text part of its words."""
    env = current_app.jinja_env
    platform = current_app.config["PLATFORM_NAME"]
    text = html_to_text(body) if html else body
    html_part = env.get_template("email/generic.html").render(
        subject=subject, body=body, body_is_html=html, platform=platform
    )
    plain = env.get_template("email/generic.txt").render(body=text, platform=platform)
    return RenderedEmail(to=to, subject=subject, text=plain, html=html_part)


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


class _Defaulting(dict):
    # A missing optional field renders as empty rather than failing the whole send.
    def __missing__(self, key: str) -> str:
        return ""
