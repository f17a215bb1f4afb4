"""Rate limiting: Flask-Limiter with a token-bucket strategy on Redis or memory."""
