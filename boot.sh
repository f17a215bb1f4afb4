#!/bin/sh
# Container entry point. One image, three roles:
#   migrate  apply the database migrations and exit. Run it once per deploy, before the new
#            web and worker start (compose's one-shot service, a Kubernetes Job or init
#            container); runs that overlap take turns on a PostgreSQL advisory lock.
#   web      serve the API with gunicorn. It does not migrate, so N replicas starting together
#            do not all run the same migration; MIGRATE_ON_START=true makes it migrate first
#            (a single-instance deployment with no separate step).
#   worker   run the notification worker; extra arguments go to `flask worker`.
#   health   the image's HEALTHCHECK: probe what the container's main process runs (PID 1, or
#            the PID given): a web server's /health, a worker's heartbeat; anything else
#            (migrate, a one-off command) has nothing to probe.
# Anything else runs as a command, e.g. `boot.sh flask seed-demo`.
set -e
case "${1:-web}" in
  migrate)
    exec flask db upgrade
    ;;
  web)
    if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
      flask db upgrade
    fi
    exec gunicorn -c gunicorn.conf.py wsgi:app
    ;;
  worker)
    shift
    exec flask worker "$@"
    ;;
  health)
    main=$(tr '\0' ' ' < "/proc/${2:-1}/cmdline")
    case "$main" in
      *gunicorn*|*"boot.sh web"*)
        exec python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"
        ;;
      *"flask worker"*|*"boot.sh worker"*)
        exec flask ready --require worker
        ;;
    esac
    ;;
  *)
    exec "$@"
    ;;
esac
