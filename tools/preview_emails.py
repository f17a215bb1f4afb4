"""Write every email type, for each recipient role, as .eml and .html files into a folder.

    python tools/preview_emails.py [FOLDER]      (default: email-previews/)

Open the .html files in a browser (try a 375 px wide window) and the .eml files in a mail
client. Links point at FRONTEND_URL and PUBLIC_BASE_URL as configured in the environment.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentorhub import create_app  # noqa: E402
from mentorhub.mail.message import app_sender  # noqa: E402
from mentorhub.mail.rendering import render_email  # noqa: E402
from mentorhub.mail.samples import sample_cases  # noqa: E402

LOCKED = {"welcome", "payment_received"}


def write_previews(folder: Path) -> list[Path]:
    """Render every sample into `folder`; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app()
    written = []
    with app.app_context():
        base = app.config["PUBLIC_BASE_URL"].rstrip("/")
        unsubscribe = f"{base}/api/v1/notifications/unsubscribe?token=preview"
        sender, reply_to = app_sender()
        for name, type_name, _role, data in sample_cases(datetime.now(UTC)):
            locked = type_name in LOCKED
            email = render_email(
                "recipient@example.org", type_name, data, unsubscribe, "these emails", locked
            )
            if not locked:
                email.headers = {"List-Unsubscribe": f"<{unsubscribe}>"}
            eml, html = folder / f"{name}.eml", folder / f"{name}.html"
            eml.write_bytes(email.to_message(sender, reply_to).as_bytes())
            html.write_text(email.html, encoding="utf-8")
            written += [eml, html]
    return written


def main() -> None:
    """Write the previews and say where they are."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "email-previews")
    files = write_previews(folder)
    print(f"wrote {len(files)} files to {folder}/")


if __name__ == "__main__":
    main()
