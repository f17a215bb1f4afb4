#!/bin/sh
# Container entry point. One image, three roles:
#   migrate  apply the database migrations and exit. Run it once per deploy, before the new
#            web and worker start (compose's one-shot service, a Kubernetes Job or init
#            container); runs that overlap take turns on a PostgreSQL advisory lock.
#   web      serve the API with gunicorn. It does not migrate, so N replicas starting together
#            do not all run the same migration; MIGRATE_ON_START=true makes it migrate first
#            (a single-instance deployment with no separate step).
#   worker   run the notification worker; extra arguments go to `flask worker`.
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
  *)
    exec "$@"
    ;;
esac
