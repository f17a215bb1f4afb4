"""The chaos run: mixed HTTP load while Redis, SMTP, workers and database connections fail
(`python -m bench.chaos`): load, the servers and faults, and the accounting."""
