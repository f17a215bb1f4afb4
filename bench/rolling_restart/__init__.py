"""Rolling restarts behind nginx with and without the listener drain, side by side
(`python -m bench.rolling_restart`)."""
