# MentorHub image: one image, three roles chosen by boot.sh (`web` by default, `worker`,
# `migrate`). Run `migrate` once per deploy before starting web and worker (compose.yaml does).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=wsgi:app \
    MENTORHUB_ENV=production \
    PORT=8000

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code stays owned by root, so the app cannot rewrite itself; only instance/ is writable.
COPY . .
RUN useradd --create-home --uid 10001 --user-group mentorhub \
    && mkdir -p /app/instance \
    && chown 10001:10001 /app/instance
USER 10001:10001

EXPOSE 8000
# gunicorn and `flask worker` both stop gracefully on SIGTERM: gunicorn finishes its requests
# for up to GUNICORN_GRACEFUL_TIMEOUT (30 s), so give the container a longer stop grace
# (`docker stop -t 40`, compose's stop_grace_period, Kubernetes' terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
# One check per role, chosen by what the container runs (`boot.sh health`): web, /health on
# PORT (liveness only: no PostgreSQL, Redis or SMTP); worker, its heartbeat in Redis.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["./boot.sh", "health"]

ENTRYPOINT ["./boot.sh"]
CMD ["web"]
