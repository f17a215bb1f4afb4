"""`payment_received`: the payer's receipt, and the mentor's notice of money received. Each
shows the other party (the payer sees the mentor; the mentor sees who paid, never their
address). Always sent: it is a record of money."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentorhub.mail.content import mail_copy, session_action
from mentorhub.mail.links import app_link
from mentorhub.mail.wording import fit_subject
from mentorhub.notifications.types._declaration import NotificationType
from mentorhub.notifications.types._samples import STUDENT, session


def copy(c: dict) -> dict:
    """The amount first; the mentor is sent to their payments, the payer to the session."""
    amount = c["amount_text"]
    if c["role"] == "mentor":
        payer = c.get("payer_name")
        subject = fit_subject(
            f"{amount} received", c.get("topic"), f"from {payer}" if payer else ""
        )
        paid = f" on {c['paid_at_human']}" if c.get("paid_at_human") else ""
        what = c.get("topic") or "a session"
        pre = f"{payer} paid {amount}{paid} for {what}." if payer else f"{amount} paid{paid}."
        action = ("See your payments", app_link("payments"))
    else:
        subject = fit_subject(f"Receipt for {amount}", c.get("topic"))
        paid = f"Paid {c['paid_at_human']}. " if c.get("paid_at_human") else ""
        pre = f"{paid}Keep this email as your receipt."
        action = session_action(c, "View the session")
    return mail_copy(subject, pre, action)


def samples(now: datetime) -> dict[str, dict]:
    """A student pays for the sample session: their receipt, and the mentor's notice."""
    paid = {
        "amount": "49.90",
        "currency": "EUR",
        "transaction_id": "evt_3PqL8sK2eZvKYlo2C1a9",
        "paid_at": (now - timedelta(minutes=5)).isoformat(),
        "payer_name": STUDENT["name"],
        "payer_email": STUDENT["email"],
    }
    return {role: session(now, role, **paid) for role in ("payer", "mentor")}


TYPE = NotificationType(
    name="payment_received",
    label="payment receipts",
    required=("amount", "currency"),
    roles=("payer", "mentor"),
    copy=copy,
    in_app="Payment received: {amount} {currency}",
    samples=samples,
    always_sent="Payment receipts and notices are records of money, so they are always sent.",
    account_mail=False,
)
