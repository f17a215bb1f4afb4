"""The README's "Try it" examples run as written against a server started like `make run`.

The server runs the Makefile's steps (migrate SQLite, seed demo data, `flask run`) in a temporary
instance directory on a free port. The examples run in one shell, in order; `curl` is wrapped
only to record each call's status, which must match the `# -> status` line above it.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.docs.markdown import code_blocks, section
from tests.docs.shell import run_as_pasted
from tests.support.servers import ROOT, free_port, run_flask, start_flask_run

EXPECTED = re.compile(r"^# -> (\d{3})$", re.M)
RECORD_STATUS = """
curl() { command curl -w '%{stderr}%{http_code}\\n' "$@" 2>>"$STATUS_LOG"; }
"""


def readme_examples() -> str:
    """The shell blocks of the README's "Try it" section, joined in order."""
    blocks = code_blocks(section((ROOT / "README.md").read_text(), "Try it"), "sh")
    assert blocks, "the 'Try it' section has no sh blocks"
    return "\n".join(blocks)


def _environ(instance: Path, port: int) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    keep.pop("MENTORHUB_ENV", None)
    return {
        **keep,
        "FLASK_APP": "wsgi:app",
        "INSTANCE_DIR": str(instance),
        "PAYMENT_WEBHOOK_SECRET": "whsec-readme-test",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@pytest.fixture
def make_run_server(tmp_path):
    """`make run`'s three steps on SQLite in a temporary instance directory."""
    port = free_port()
    env = _environ(tmp_path, port)
    for step in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        done = run_flask(env, *step)
        assert done.returncode == 0, done.stderr
    server, base = start_flask_run(env, tmp_path / "server.log", port)
    yield base, env
    server.stop(timeout=20)


@pytest.mark.slow
def test_readme_examples_run_in_order_with_the_documented_statuses(make_run_server, tmp_path):
    base, env = make_run_server
    script = readme_examples()
    expected = EXPECTED.findall(script)
    assert len(expected) == len(re.findall(r"\bcurl -s\b", script)), "a curl lacks its # ->"
    assert shutil.which("openssl") and shutil.which("curl")
    log = tmp_path / "statuses"
    script = RECORD_STATUS + script.replace("BASE=http://127.0.0.1:5000", f"BASE={base}", 1)
    env = {**env, "STATUS_LOG": str(log)}
    done = run_as_pasted(script, tmp_path, env)
    statuses = log.read_text().split() if log.exists() else []
    assert done.returncode == 0, (done.stderr, statuses)
    assert statuses == expected, done.stdout
