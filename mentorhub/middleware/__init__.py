"""Request-level middleware: rate limiting."""
