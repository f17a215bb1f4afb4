"""Every registered notification type declares all it needs in one place, and has its templates.

A type is one module of mentorhub/notifications/types/; these tests read the registry, so a new
type is checked the moment it exists, and none of them counts types.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest
from jinja2 import TemplateNotFound

from mentorhub.notifications.types import TYPES, NotificationType, in_app_text
from mentorhub.notifications.types._declaration import CHANNELS

NOW = datetime.now(UTC)
COPY_KEYS = {"subject", "preheader", "action_label", "action_url"}
METHODS = {"REQUEST", "CANCEL"}


def declaration_problems(kind: NotificationType, app) -> list[str]:
    """What the declaration lacks or gets wrong; [] when complete."""
    from mentorhub.mail.rendering import render_email

    found = []
    for field in ("name", "label", "required", "roles"):
        if not getattr(kind, field):
            found.append(f"no {field}")
    if not callable(kind.copy) or not callable(kind.samples):
        found.append("copy and samples must be functions")
    if not isinstance(kind.account_mail, bool):
        found.append("account_mail must say True or False")
    if kind.account_mail and not kind.always_sent:
        found.append("account mail is always sent: say why")
    if (kind.invite is None) is not (kind.also_stops is None) or kind.invite not in {
        None,
        *METHODS,
    }:
        found.append("an invite and what stops with it go together")
    for suffix in ("html", "txt"):
        try:
            app.jinja_env.get_template(f"email/{kind.name}.{suffix}")
        except TemplateNotFound:
            found.append(f"no template email/{kind.name}.{suffix}")
    if found:
        return found
    samples = kind.samples(NOW)
    roles = {data.get("role") or kind.default_role for data in samples.values()}
    found += [f"no sample for role {role}" for role in set(kind.roles) - roles]
    found += [f"sample role {role} not declared" for role in roles - set(kind.roles)]
    for case, data in samples.items():
        missing = [key for key in kind.required if key not in data]
        if missing:
            found.append(f"sample {case} lacks {missing}")
            continue
        copied = kind.copy({**data, "role": data.get("role") or kind.default_role, **_derived()})
        found += [f"copy of {case} lacks {key}" for key in COPY_KEYS - set(copied)]
        text = in_app_text(kind.name, data, "MentorHub")
        if not text or re.search(r"[{}]", text):
            found.append(f"in-app text of {case} is {text!r}")
        rendered = render_email("reader@example.org", kind, data)
        if not rendered.subject or not rendered.text.strip() or not rendered.html.strip():
            found.append(f"sample {case} renders empty")
    return found


def _derived() -> dict:
    # What email_context works out before calling a copy function.
    return {"platform": "MentorHub", "now": NOW, "when_human": "", "amount_text": "€1.00"}


@pytest.fixture
def types_app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.mark.parametrize("name", list(TYPES))
def test_each_registered_type_declares_everything(types_app, name):
    assert declaration_problems(TYPES[name], types_app) == []


def test_an_incomplete_declaration_is_caught(types_app):
    welcome = TYPES["welcome"]
    broken = [
        dataclasses.replace(welcome, name="birthday"),  # no templates
        dataclasses.replace(welcome, roles=("student", "mentor", "admin")),  # no admin sample
        dataclasses.replace(welcome, required=("name", "age")),  # samples lack `age`
        dataclasses.replace(welcome, always_sent=None),  # account mail needs a reason
        dataclasses.replace(welcome, invite="REQUEST"),  # and what stops with it?
        dataclasses.replace(welcome, copy=lambda c: {"subject": "Hi"}),
        dataclasses.replace(welcome, label=""),
    ]
    for kind in broken:
        assert declaration_problems(kind, types_app), kind
    with pytest.raises(TypeError):
        NotificationType(name="x", label="x", required=("a",), roles=("student",))


def test_channels_locked_follow_the_declaration():
    for kind in TYPES.values():
        if kind.account_mail:
            assert kind.locked_channels == CHANNELS
        else:
            assert kind.locked_channels == (("email",) if kind.always_sent else ())
