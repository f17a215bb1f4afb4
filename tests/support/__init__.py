"""Helpers shared by the test suite and the benchmarks (`bench/`), one module per thing.

Servers and services, safe for the benchmarks too (they touch nothing of a test run's):

- `waiting`: `wait_until`, the one polling loop;
- `servers`: `free_port`, `ServerProcess` (start, wait for an HTTP answer, stop), `flask run`;
- `redis_server`: `PrivateRedis`, a redis-server of one's own to kill, freeze or restart;
- `smtp`: `MailSink`, a real aiosmtpd server (plain, TLS, AUTH) that records what it accepts;
- `databases`: `Database`, a PostgreSQL database to create, drop, query and cut off;
- `rows`: bulk rows below the API; `workers`: the RQ worker in-process, waiting for workers;
- `traffic`: `Tally` and `send`, counting a load's answers; `docker_context`: what a Docker
  build context holds, by Docker's `.dockerignore` rules.
- `checkout`: the repository's files, and copies of them.

The test run's own resources and the API as a client drives it:

- `run_resources`: the run's database and Redis db (claimed on import: tests only);
- `environ`: the environment of test apps, servers and workers;
- `auth`: `AuthActions`, sign-up and sign-in; `booking`: booking sessions;
- `payments`: signed webhook events; `concurrency`: requests raced from threads;
- `gunicorn`, `http`, `prometheus_text`: a real gunicorn, live HTTP calls, metric pages;
- `notifications`, `tables`, `sql_events`: notification checks, emptying tables, counting SQL.
"""
