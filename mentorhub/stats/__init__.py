"""Platform and per-user statistics: the queries, the sharded counters and the cached views."""
