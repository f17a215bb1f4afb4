"""CPU per mail of building a notification email, side by side in one run.

1. render: the Jinja templates and the copy (subject, preheader, action) of a welcome email;
2. build: that email as an `EmailMessage` with our SMTP policy, serialised to bytes;
3. build, stock policy: the same with `email.policy.SMTP` as it comes (for comparison).

Usage: python -m bench.mail_build [--count 3000]
Needs no services: the app runs on its defaults and nothing is sent.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from mentorhub import create_app
from mentorhub.mail.message import app_sender
from mentorhub.mail.rendering import render_email
from mentorhub.notifications.types import get_type


def cpu_ms(action, count: int) -> float:
    """Process CPU milliseconds per call of `action`, after a warm-up."""
    for _ in range(min(200, count)):
        action()
    started = time.process_time()
    for _ in range(count):
        action()
    return (time.process_time() - started) * 1000 / count


def main() -> None:
    """Print the three figures and their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    count = parser.parse_args().count
    app = create_app("testing")
    with app.app_context():
        sender, reply_to = app_sender()
        welcome = get_type("welcome")

        def render():
            email = render_email("u0@example.com", welcome, {"name": "User", "role": "student"})
            email.message_id = "<notification-1@mentorhub.com>"
            return email

        email = render()

        def stock():
            message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
            message["Subject"] = email.subject
            message["From"] = sender
            message["To"] = email.to
            if reply_to is not None:
                message["Reply-To"] = reply_to
            message["Date"] = format_datetime(datetime.now(UTC))
            message["Message-ID"] = email.message_id
            message.set_content(email.text)
            message.add_alternative(email.html, subtype="html")
            return message.as_bytes()

        figures = {
            "render": cpu_ms(render, count),
            "build": cpu_ms(lambda: email.to_message(sender, reply_to).as_bytes(), count),
            "build, stock policy": cpu_ms(stock, count),
        }
    load = os.getloadavg()[0]
    for name, value in figures.items():
        print(f"{name:22} {value:6.3f} ms/mail")
    print(f"stock policy / ours: {figures['build, stock policy'] / figures['build']:.2f}x")
    print(f"load average (1 min) during the run: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
