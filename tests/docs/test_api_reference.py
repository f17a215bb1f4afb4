"""docs/api.md's endpoint table lists every route the app serves, with its methods, and no other."""

from __future__ import annotations

import re

import config
from mentorhub import create_app
from tests.docs.markdown import section
from tests.support.environ import app_environ
from tests.support.servers import ROOT

PARAMETER = re.compile(r"<[^>]*>")
# Served for the documentation itself, described in prose beside the table.
UNLISTED_PREFIXES = ("/docs", "/openapi.json", "/static/")


def _path(template: str) -> str:
    """A route template with its parameters unnamed: `/sessions/<int:session_id>` -> `<>`."""
    return PARAMETER.sub("<>", template)


def routes_served() -> set[tuple[str, str]]:
    """(method, path) of every route of the app, but the documentation's own."""
    app = create_app(config.TestingConfig(app_environ()))
    return {
        (method, _path(rule.rule))
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(UNLISTED_PREFIXES)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def routes_documented() -> set[tuple[str, str]]:
    """(method, path) of every row of docs/api.md's endpoint table."""
    table = section((ROOT / "docs/api.md").read_text(), "Endpoints")
    documented = set()
    for row in table.splitlines():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) < 2 or not cells[1].startswith("`/"):
            continue
        for method in cells[0].split(","):
            documented.add((method.strip(), _path(cells[1].strip("`"))))
    assert documented, "docs/api.md has no endpoint table"
    return documented


def test_every_route_is_in_the_endpoint_table():
    missing = sorted(routes_served() - routes_documented())
    assert not missing, f"add to docs/api.md's endpoint table: {missing}"


def test_the_endpoint_table_lists_no_route_the_app_lacks():
    unknown = sorted(routes_documented() - routes_served())
    assert not unknown, f"the app serves none of these: {unknown}"
