"""What a notification type declares: everything about it, in the one module that holds it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

CHANNELS = ("email", "in_app")


@dataclass(frozen=True, kw_only=True)
class NotificationType:
    """One notification type. Its two templates are `templates/email/<name>.html` and `.txt`.

    - `label`: what people call these mails, plural ("session reminders"): the unsubscribe
      page and the footer's link use it.
    - `required`: the data keys its copy and templates need; the outbox refuses data without.
    - `roles`: who may receive it (the first is the default); the copy differs per role.
    - `copy(context) -> {subject, preheader, action_label, action_url}`
      (see `mentorhub.mail.content`).
    - `in_app`: its inbox text, a format string over the data or a function of the context.
    - `samples(now) -> {case: data}`: realistic data, at least one case per role, for the
      preview tool and the tests.
    - `always_sent`: why its email cannot be turned off (the footer says it), or None for a
      type each user may turn off per channel.
    - `account_mail`: mail about the account itself (welcome, address checks, password
      resets): never subject to preferences on any channel, never held for a batch (each row
      gets a job of its own at the front of the queue, and drains claim it first), and sent to
      the address stored on the row rather than the user's current one.
    - `invite`: the iTIP METHOD of the calendar data its email carries (REQUEST, CANCEL).
    - `also_stops`: what else stops when its email is turned off (the unsubscribe page says).
    """

    name: str
    label: str
    required: tuple[str, ...]
    roles: tuple[str, ...]
    copy: Callable[[dict], dict]
    in_app: str | Callable[[dict], str]
    samples: Callable[[datetime], dict[str, dict]]
    always_sent: str | None
    account_mail: bool
    invite: str | None = None
    also_stops: str | None = None

    @property
    def default_role(self) -> str:
        """The role a recipient has when the data does not say."""
        return self.roles[0]

    @property
    def locked_channels(self) -> tuple[str, ...]:
        """The channels no user may turn off."""
        if self.account_mail:
            return CHANNELS
        return ("email",) if self.always_sent else ()
