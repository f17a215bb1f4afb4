# MentorHub API image: gunicorn on PostgreSQL and Redis. The same image runs the worker
# (`docker run IMAGE worker`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FLASK_APP=wsgi:app \
    MENTORHUB_ENV=production

RUN useradd --create-home --uid 10001 mentorhub
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=mentorhub:mentorhub . .
USER mentorhub

EXPOSE 8000
ENTRYPOINT ["./boot.sh"]
CMD ["web"]
