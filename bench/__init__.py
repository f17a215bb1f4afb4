"""MentorHub's benchmarks: each prints figures measured side by side in one run.

Run one from the repository root as `python -m bench.<name>` (or `make bench-<name>`); each
starts its own servers on loopback and stops them at the end. `bench/README.md` gives the
method and the latest figures of each.

- `stats_scale`: the stats endpoints at a million users, against a bare route in the same app;
- `fullstack` (and `fullstack.profile`): the stats endpoints as deployed, against bare Flask;
- `limiter` (and `limiter.profile`): the token bucket against bare Flask and moving-window;
- `notifications`: delivery throughput, steady-rate latency and the request path of a mail;
- `chaos`: mixed load while Redis, SMTP, workers and database connections fail;
- `metrics_cost`: metrics on against off; `mail_build`: building one email.

`bench.common` holds what several benchmarks share; servers, databases, Redis and the SMTP
sink come from `tests.support`, shared with the test suite.
"""
