"""What several benchmarks share: wrk runs, CPU accounting, the seeded stats database, settings
of a production server, and requests sent to a WSGI app in-process."""
