"""Web and workers through PgBouncer in transaction mode, prepared statements off and on
(`python -m bench.pgbouncer`)."""
