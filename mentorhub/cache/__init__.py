"""Caching on Redis with an in-process fallback, its codec, and single-flight recompute."""
