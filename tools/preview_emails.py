"""Write every email type, for each of its samples, as the .eml delivery would send and as .html.

    python tools/preview_emails.py [FOLDER]      (default: email-previews/)

Each mail is built the way a worker builds it (`mentorhub.notifications.compose.build_email`
and `mentorhub.mail.outgoing_message`): the reader's time zone, the calendar invite or
cancellation, the signed unsubscribe link and every header, List-Unsubscribe-Post included.
Only the participants of an invite come from the samples instead of the database. Open the
.html files in a browser (try a 375 px wide window) and the .eml files in a mail client.
Links point at FRONTEND_URL and PUBLIC_BASE_URL as configured in the environment.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentorhub import create_app  # noqa: E402
from mentorhub.mail import outgoing_message  # noqa: E402
from mentorhub.notifications.compose import PreparedRow, build_email  # noqa: E402
from mentorhub.notifications.types import sample_cases  # noqa: E402
from mentorhub.notifications.types._samples import PEOPLE, participants  # noqa: E402


def write_previews(folder: Path) -> list[Path]:
    """Build every sample into `folder` as `<case>.eml` and `<case>.html`; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app()
    written = []
    with app.app_context():
        for number, (case, type_name, role, data) in enumerate(sample_cases(datetime.now(UTC))):
            reader = PEOPLE[role]
            row = PreparedRow(number + 1, reader["id"], reader["email"], type_name, data, 0)
            email = build_email(row, participants)
            eml, html = folder / f"{case}.eml", folder / f"{case}.html"
            eml.write_bytes(outgoing_message(email).as_bytes())
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
