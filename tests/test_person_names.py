"""A name is shown in other people's mail and calendars: no line breaks, controls or links.

Mail clients turn a scheme, `www.` or a bare domain into a link, and a line break in a name
would let it write lines of its own; either would let a stranger's sign-up text speak with the
platform's voice. Initials and ordinary punctuation stay allowed.
"""

from __future__ import annotations

import pytest

from tests.support.auth import AuthActions

LINE_BREAKS = "Names may not contain line breaks or control characters."
LINKS = "Names may not contain links or web addresses (such as www. or example.com)."

REFUSED = {
    "Support\nACTION NEEDED: your payout is on hold": LINE_BREAKS,
    "Ann\r\nBcc: everyone": LINE_BREAKS,
    "Tab\tbed": LINE_BREAKS,
    "Line\u2028separator": LINE_BREAKS,
    "Escape \x1b[31mred": LINE_BREAKS,
    "Ann \u202eevil.example": LINE_BREAKS,
    "visit https://evil.example/pay": LINKS,
    "HTTP://EVIL.EXAMPLE": LINKS,
    "mailto:boss@evil.example": LINKS,
    "javascript:alert(1)": LINKS,
    "www.evil": LINKS,
    "Support at example.com": LINKS,
    "paypal.com Security": LINKS,
    "Bob bob@evil.example": LINKS,
    "paypal\u3002com": LINKS,
    "xn--pypal-4ve.com": LINKS,
    "St.John": LINKS,
}
ALLOWED = [
    "J.R.R. Tolkien",
    "Dr. Ada Lovelace",
    "Zoë O'Brien-Smith",
    "Jean-Luc Picard Jr.",
    "A.B. Smith",
    "李小龙",
    "María José",
    "👩\u200d💻 Ada",
    "Ms. K. Ng",
]


@pytest.mark.parametrize("name", list(REFUSED), ids=range(len(REFUSED)))
def test_a_name_that_could_speak_for_the_platform_is_refused(client, name):
    response = AuthActions(client).register("someone@example.com", name=name)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"] == {"name": [REFUSED[name]]}


@pytest.mark.parametrize("name", ALLOWED)
def test_ordinary_names_and_initials_are_kept(client, name):
    account = AuthActions(client).sign_up(f"user{ALLOWED.index(name)}@example.com", name=name)
    assert account["name"] == name


def test_the_cli_applies_the_same_rule(runner):
    result = runner.invoke(
        args=["create-user", "--email", "cli@example.com", "--name", "see www.evil.example",
              "--password", "password123"],
    )  # fmt: skip
    assert result.exit_code != 0
    assert LINKS in result.output
