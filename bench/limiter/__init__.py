"""The limiter benchmark: one JSON endpoint bare, behind MentorHub's token bucket, and behind
stock Flask-Limiter moving-window (`python -m bench.limiter`); `bench.limiter.profile` calls
the same apps in-process and profiles them."""
