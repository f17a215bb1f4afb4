"""The real servers in front of MentorHub in the infrastructure tests: nginx and PgBouncer.

Each runs from Debian's package with a configuration of the test's own in a private directory,
on a free loopback port, and is stopped by its process id when the test ends.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.support.servers import ROOT, ServerProcess, free_port

SHIPPED_NGINX_CONF = ROOT / "deploy" / "nginx" / "mentorhub.conf"
ACCESS_LOG_FORMAT = (
    "log_format timed '$msec $request_method $request_uri $status "
    "upstream=$upstream_addr upstream_status=$upstream_status';"
)


def private_directory(prefix: str) -> Path:
    """A fresh directory that the servers' unprivileged workers can enter."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    directory.chmod(0o755)
    return directory


def shipped_nginx_conf(
    upstream_ports: list[int], listen_port: int, source: Path = SHIPPED_NGINX_CONF
) -> str:
    """deploy/nginx/mentorhub.conf with only its server addresses and listen port replaced."""
    text = source.read_text()
    servers = re.findall(r"^(\s*server )(\S+)(:\d+)( [^;\n]*)?;", text, re.M)
    assert len(servers) == len(upstream_ports), "one upstream server line per test server"
    for (indent, host, port, options), test_port in zip(servers, upstream_ports, strict=True):
        old = f"{indent}{host}{port}{options};"
        text = text.replace(old, f"{indent}127.0.0.1:{test_port}{options};", 1)
    text, listens = re.subn(
        r"^(\s*)listen 80;", rf"\g<1>listen 127.0.0.1:{listen_port};", text, count=1, flags=re.M
    )
    assert listens == 1, "the shipped configuration should listen on port 80"
    return text


class ForegroundServer:
    """A server run in the foreground from a private directory holding its configuration."""

    name = "server"
    log_name = "server.log"
    # The signal that stops it: nginx finishes what it serves on SIGQUIT, PgBouncer stops at
    # once on SIGINT.
    stop_signal = signal.SIGTERM

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = private_directory(f"mentorhub-{self.name}-")
        self.server: ServerProcess | None = None

    def run(self, command: list[str]) -> None:
        """Start `command` and wait until the server accepts connections on its port."""
        self.server = ServerProcess(command, os.environ, self.dir / "console.log", self.name)
        self.server.wait_for_port(self.port)

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self.server is not None:
            self.server.stop(self.stop_signal, timeout=15)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        """The server's log so far."""
        path = self.dir / self.log_name
        return path.read_text(errors="replace") if path.exists() else ""


class Nginx(ForegroundServer):
    """nginx (Debian's package) serving deploy/nginx/mentorhub.conf on a free port."""

    name = "nginx"
    log_name = "error.log"
    stop_signal = signal.SIGQUIT

    def __init__(self, upstream_ports: list[int], source: Path = SHIPPED_NGINX_CONF) -> None:
        super().__init__()
        site = shipped_nginx_conf(upstream_ports, self.port, source)
        (self.dir / "mentorhub.conf").write_text(site)
        (self.dir / "nginx.conf").write_text(
            f"""
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log info;
events {{ worker_connections 1024; }}
http {{
    {ACCESS_LOG_FORMAT}
    access_log {self.dir}/access.log timed;
    client_body_temp_path {self.dir}/client_body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    include {self.dir}/mentorhub.conf;
}}
"""
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        """Check the configuration, then run nginx in the foreground (as a child of ours)."""
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        command = [nginx, "-p", str(self.dir), "-e", str(self.dir / "error.log")]
        command += ["-c", str(self.dir / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        self.run([*command, "-g", "daemon off;"])
        return self


class PgBouncer(ForegroundServer):
    """PgBouncer 1.18 (Debian's package) in transaction mode in front of the given database."""

    name = "pgbouncer"
    log_name = "pgbouncer.log"
    stop_signal = signal.SIGINT

    def __init__(self, database_url: str, pool_size: int = 10) -> None:
        super().__init__()
        target = make_url(database_url)
        self.database = target.database
        user = target.username or "postgres"
        (self.dir / "users.txt").write_text(f'"{user}" ""\n')
        # The configuration docs/deploy.md shows, with this test's addresses and paths.
        (self.dir / "pgbouncer.ini").write_text(
            f"""[databases]
{self.database} = host={target.host} port={target.port or 5432} dbname={self.database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {self.dir}/pgbouncer.log
pidfile =
"""
        )
        self.url = target.set(host="127.0.0.1", port=self.port).render_as_string(False)

    def start(self) -> PgBouncer:
        """Run pgbouncer in the foreground (as root: as `postgres`, since it refuses root)."""
        # -q: its log goes to its log file only, not to our output as well.
        command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", "-q"]
        if os.geteuid() == 0:
            account = "postgres" if _has_account("postgres") else "nobody"
            owner = pwd.getpwnam(account)
            for path in [self.dir, *self.dir.iterdir()]:
                os.chown(path, owner.pw_uid, owner.pw_gid)
            command += ["-u", account]
        command.append(str(self.dir / "pgbouncer.ini"))
        self.run(command)
        return self


def _has_account(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
