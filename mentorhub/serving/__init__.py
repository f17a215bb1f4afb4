"""Hooks that gunicorn.conf.py gives the web server, around the app rather than in it.

`listener_drain`: on SIGTERM the listener stops taking new connections and the workers answer
every connection already queued before they exit.
"""

from mentorhub.serving.listener_drain import (
    install_master_hook,
    note_quick_exit,
    serve_queued_connections,
)

__all__ = ["install_master_hook", "note_quick_exit", "serve_queued_connections"]
