#!/bin/sh
# Container entry point: `web` migrates then serves; `worker` runs the notification worker.
set -e
case "${1:-web}" in
  web)
    flask db upgrade
    exec gunicorn --bind "0.0.0.0:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-2}" \
      --worker-class sync --access-logfile - --preload wsgi:app
    ;;
  worker)
    exec flask worker
    ;;
  *)
    exec "$@"
    ;;
esac
