"""The stats benchmark at scale: the stats endpoints at a million users against a bare route in
the same app and server (`python -m bench.stats_scale`)."""
