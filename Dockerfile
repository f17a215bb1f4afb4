# MentorHub image: one image, three roles chosen by boot.sh (`web` by default, `worker`,
# `migrate`). Run `migrate` once per deploy before starting web and worker (compose.yaml does).
FROM python:3.11-slim

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
# Liveness only: /health answers without touching PostgreSQL, Redis or SMTP. The worker
# container overrides this (compose.yaml) since it serves no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"]

ENTRYPOINT ["./boot.sh"]
CMD ["web"]
