"""Every email type, for each recipient role: links that resolve, a named sender, honest copy."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from datetime import UTC, datetime
from email import policy
from urllib.parse import urlsplit

import pytest

from mentorhub.mail.links import FRONTEND_ROUTES
from mentorhub.notifications.compose import PreparedRow, build_email
from mentorhub.notifications.types import get_type, is_locked, sample_cases
from mentorhub.notifications.types._samples import PEOPLE, participants
from mentorhub.services.email import email_service
from tests.support import readability
from tests.support.servers import ROOT

FRONTEND = "https://app.mentorhub.example"
SENDER = "Zoë’s MentorHub Tëam <noreply@mail.mentorhub.example>"
REPLY_TO = "Support <help@mentorhub.example>"
NOW = datetime.now(UTC)
CASES = sample_cases(NOW)
# The key fact each subject starts with, per type and role.
WHEN = r"\w{3} \d\d \w{3}, \d\d:\d\d [A-Z]{3,4}"
FACTS = {
    "welcome": r"Welcome to MentorHub$",
    "session_confirmed": rf"(Confirmed|New booking|Moved to|Call link added for) {WHEN}: ",
    "session_reminder": r"In (1 hour|\d+ minutes): ",
    "session_cancelled": rf"Cancelled {WHEN}: ",
    "new_message": r"Message from \w+",
    "payment_received": r"(Receipt for €49\.90|€49\.90 received): ",
    "review_received": r"New review, 5 of 5: ",
}


@pytest.fixture
def mail_app(make_app, smtp):
    """The app with a frontend, a non-ASCII display-name sender and a Reply-To."""
    app = make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        FRONTEND_URL=FRONTEND,
        FROM_EMAIL=SENDER,
        REPLY_TO_EMAIL=REPLY_TO,
        PUBLIC_BASE_URL="https://api.mentorhub.example",
    )
    with app.app_context():
        yield app


def _parse(raw: bytes):
    message = email.message_from_bytes(raw, policy=policy.default)
    assert [part.defects for part in message.walk() if part.defects] == []
    for name, value in message.items():
        assert not value.defects, (name, value.defects)
    return message


def _built(case) -> tuple:
    name, type_name, role, data = case
    row = PreparedRow(900, PEOPLE[role]["id"], "reader@example.org", type_name, data, 0)
    rendered = build_email(row, participants)
    return rendered, _parse(rendered.as_bytes())


def _links(rendered) -> set[str]:
    hrefs = re.findall(r'(?:href|src)="([^"]+)"', rendered.html)
    plain = re.findall(r"https?://\S+", rendered.text)
    return {link.replace("&amp;", "&") for link in hrefs + plain}


def _frontend_page(path: str) -> bool:
    patterns = [re.sub(r"\{\w+\}", r"[^/]+", route) for route in FRONTEND_ROUTES.values()]
    return any(re.fullmatch(pattern, path) for pattern in patterns)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_every_link_that_is_ours_resolves(mail_app, case):
    rendered, _ = _built(case)
    client = mail_app.test_client()
    links = _links(rendered)
    assert links
    for link in links:
        parts = urlsplit(link)
        assert parts.scheme == "https", link
        if link.startswith("https://api.mentorhub.example/"):
            # An API link must be a route of this app, and answer.
            adapter = mail_app.url_map.bind("api.mentorhub.example")
            adapter.match(parts.path, method="GET")
            assert client.get(f"{parts.path}?{parts.query}").status_code == 200, link
        elif link.startswith(FRONTEND + "/"):
            assert _frontend_page(parts.path), link
        else:
            # Anything else can only be the session's own call link.
            assert link == case[3].get("meeting_link"), link


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_email_has_its_fact_first_subject_preheader_and_one_action(mail_app, case):
    name, type_name, role, data = case
    rendered, message = _built(case)
    subject = message["Subject"]
    assert len(subject) <= 70, subject
    assert re.match(FACTS[type_name], subject), subject
    # The preheader is the first text in the body, hidden from view.
    assert re.search(r'<div style="display:none;[^"]*">\w', rendered.html)
    # One primary action: a button, and the plain URL beneath it in both parts.
    [button] = re.findall(r'<a href="([^"]+)" style="display:inline-block;', rendered.html)
    assert f'Or open <a href="{button}"' in rendered.html
    assert f":\n{button.replace('&amp;', '&')}\n" in rendered.text
    # Plain text is first-class: standard signature separator, no markup.
    assert "\n-- \n" in rendered.text and "<" not in rendered.text.replace("<https", "")
    locked = is_locked(type_name, "email")
    assert ("Unsubscribe" in rendered.text) is not locked
    assert (message["List-Unsubscribe"] is None) is locked
    if locked:
        assert "always sent" in rendered.text and "always sent" in rendered.html


def test_each_role_reads_its_own_words(mail_app):
    texts: dict[str, dict[str, str]] = {}
    for case in CASES:
        if case[0] == f"{case[1]}-{case[2]}":  # the plain case of each role
            texts.setdefault(case[1], {})[case[2]] = _built(case)[0].text
    expected = {
        "welcome": {"mentor": "mentor account is ready", "student": "book your first session"},
        "session_confirmed": {"mentor": "booked a session with you", "student": "To prepare:"},
        "session_reminder": {"mentor": "booked this time to ask", "student": "To prepare:"},
        "session_cancelled": {"mentor": "free again", "student": "book another time with"},
        "new_message": {"mentor": "A quick answer helps", "student": "Keeping the conversation"},
        "payment_received": {"mentor": "your record of the payment", "payer": "your receipt"},
        "review_received": {"mentor": "Rating: 5 out of 5"},
    }
    assert set(texts) == set(expected)
    for type_name, by_role in expected.items():
        for role, sentence in by_role.items():
            assert sentence in texts[type_name][role], (type_name, role)
            others = [text for other, text in texts[type_name].items() if other != role]
            assert all(sentence not in text for text in others), (type_name, role)


def test_changes_read_you_for_the_one_who_made_them(mail_app):
    texts = {case[0]: _built(case)[0].text for case in CASES if case[1] == "session_confirmed"}
    assert texts["session_confirmed-mentor-moved"].startswith("You moved your session")
    assert "Zoë Šimková" not in texts["session_confirmed-mentor-moved"].split("\n")[0]
    assert texts["session_confirmed-student-moved"].startswith("Zoë Šimková moved your session")
    # From and to, each as a start–end range in the reader's own zone.
    range_ = r"\w{3} \d\d \w{3} \d{4}, \d\d:\d\d–\d\d:\d\d [A-Z]{3,4} \(UTC[+\u2212]\d\d:\d\d\)"
    assert re.search(rf"From: {range_}\nTo:   {range_}\n", texts["session_confirmed-student-moved"])
    assert texts["session_confirmed-mentor-link"].startswith("You added the call link")
    assert texts["session_confirmed-student-link"].startswith("Zoë Šimková added the call link")


def test_receipts_show_the_other_party_never_the_readers_own(mail_app):
    texts = {case[2]: _built(case)[0].text for case in CASES if case[1] == "payment_received"}
    for role, text in texts.items():
        for line in ("Amount: €49.90", "Payment reference: evt_3PqL8sK2eZvKYlo2C1a9"):
            assert line in text, (role, line)
        assert re.search(r"Paid on: \w{3} \d\d \w{3} \d{4}, \d\d:\d\d [A-Z]{3,4}", text)
        assert "Session: React Hooks" in text
    assert "Paid by: Jonas Ødegaard\n" in texts["mentor"]
    assert "Mentor:" not in texts["mentor"] and "jonas@example.org" not in texts["mentor"]
    assert "Mentor: Zoë Šimková" in texts["payer"] and "Paid by" not in texts["payer"]


@pytest.mark.parametrize(
    "link", ["http://meet.example.org/x", "https://api.mentorhub.example/meet/abc"]
)
def test_a_link_we_do_not_serve_is_never_sent(mail_app, link):
    [case] = [c for c in CASES if c[0] == "session_reminder-student"]
    rendered, _ = _built((*case[:3], {**case[3], "meeting_link": link}))
    assert link not in rendered.text and link not in rendered.html
    assert f"Open the session:\n{FRONTEND}/sessions/42\n" in rendered.text


def test_display_name_sender_and_reply_to_survive_a_real_smtp_server(mail_app, smtp):
    assert email_service.send_welcome_email("ada@example.com", "Ada") is True
    [received] = smtp.wait_for(1)
    message = _parse(received.as_bytes())
    assert message["From"].addresses[0].display_name == "Zoë’s MentorHub Tëam"
    assert message["From"].addresses[0].addr_spec == "noreply@mail.mentorhub.example"
    assert message["Reply-To"].addresses[0].addr_spec == "help@mentorhub.example"
    assert message["Message-ID"].endswith("@mail.mentorhub.example>")
    # A mail that invites a reply says where the reply goes.
    text = message.get_body(("plain",)).get_content()
    assert "reply to this email (your reply reaches help@mentorhub.example)" in text


def test_notification_message_id_takes_the_domain_of_the_parsed_sender(mail_app):
    _, message = _built(CASES[0])
    assert message["Message-ID"] == "<notification-900@mail.mentorhub.example>"


def test_without_a_display_name_the_platform_names_the_sender(make_app, smtp):
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port))
    with app.app_context():
        assert email_service.send_email("ada@example.com", "Hi", "Hello")
    [message] = smtp.wait_for(1)
    assert message["From"] == "MentorHub <noreply@mentorhub.com>"
    assert message["Reply-To"] is None


def test_a_malformed_sender_is_a_configuration_error(make_app):
    with pytest.raises(SystemExit, match="FROM_EMAIL"):
        make_app(FROM_EMAIL="MentorHub noreply@")


def test_preview_tool_writes_what_delivery_sends(tmp_path):
    result = subprocess.run(
        [sys.executable, "tools/preview_emails.py", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert {p.stem for p in tmp_path.glob("*.eml")} == {case[0] for case in CASES}
    for name, type_name, role, _ in CASES:
        kind, message = get_type(type_name), _parse((tmp_path / f"{name}.eml").read_bytes())
        html = message.get_body(("html",)).get_content()
        written = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        assert html.replace("\r\n", "\n").rstrip("\n") == written.rstrip("\n")
        assert message["Auto-Submitted"] == "auto-generated"
        # The one-click headers of optional mail, as the worker adds them.
        assert (message["List-Unsubscribe-Post"] is not None) is (kind.always_sent is None), name
        invites = [p for p in message.walk() if p.get_filename(failobj="").endswith(".ics")]
        assert len(invites) == (1 if kind.invite else 0), name
        # Times in the reader's own zone: the samples' mentor is in Prague, the student in LA.
        if "scheduled_time" in kind.required:
            zone = {"mentor": "CET|CEST"}.get(role, "PST|PDT")
            assert re.search(rf"\d\d:\d\d ({zone})", message.get_body(("plain",)).get_content())


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_every_text_is_readable_and_every_link_large_enough(mail_app, case):
    rendered, message = _built(case)
    assert readability.problems(rendered.html) == []
    assert message["Auto-Submitted"] == "auto-generated"


def test_the_readability_check_finds_the_old_footer(mail_app):
    html = _built(CASES[0])[0].html
    old = html.replace(
        "font-size:14px;line-height:1.5;color:#52606d;", "font-size:12px;color:#7b8794;"
    )
    assert [p for p in readability.problems(old) if "contrast 3.66" in p]
    assert [p for p in readability.problems(old) if "12 px" in p]


def test_phone_width_leaves_room_for_content_and_a_logo_fills_the_wordmark(make_app):
    app = make_app(EMAIL_LOGO_URL="https://cdn.mentorhub.example/logo.png")
    with app.app_context():
        [case] = [c for c in CASES if c[0] == "welcome-student"]
        html = _built(case)[0].html
    # Padding either side of the content on a 375 px screen: the page's, then the card's.
    [outer] = re.findall(r'<td align="center" style="padding:\d+px (\d+)(?:px)?;">', html)
    cells = {int(p) for p in re.findall(r'class="cell" style="padding:\d+px (\d+)px', html)}
    assert 375 - 2 * int(outer) - 2 * max(cells) >= 320
    assert '<img src="https://cdn.mentorhub.example/logo.png" alt="MentorHub"' in html
