"""RQ job entry points: each takes ids, reloads rows, and is safe to run more than once."""
