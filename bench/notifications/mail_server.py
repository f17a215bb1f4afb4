"""The notification benchmark's SMTP server, in a process of its own so its CPU shows apart.

It counts every message, the distinct Message-IDs of each phase (a delivery run's ids restart
with its fresh database), and reports each acceptance of a steady-rate run (phase, notification
id, time) on a queue.
"""

from __future__ import annotations

from tests.support.smtp import MailSink

STEADY_PHASE = 100  # phase numbers of steady-rate runs; the server reports their acceptances


def serve(port: int, total, phase, ready, stop, result, accepts) -> None:
    """Run the server until `stop` is set; then send the distinct Message-IDs per phase."""
    seen: dict[int, set[str]] = {}

    def accepted(message_id: str, at: float) -> None:
        if message_id:
            seen.setdefault(phase.value, set()).add(message_id)
            number = message_id.partition("notification-")[2].partition("@")[0]
            if number.isdigit() and phase.value >= STEADY_PHASE:
                accepts.put((phase.value, int(number), at))
        with total.get_lock():
            total.value += 1

    sink = MailSink(port, keep_messages=False, on_accept=accepted).start()
    ready.set()
    stop.wait()
    sink.stop()
    # Acceptances nobody will read must not keep this process from exiting.
    accepts.cancel_join_thread()
    result.send({key: len(ids) for key, ids in seen.items()})
