"""Notifications: rows written with the event, queued by id, delivered by workers.

The modules, in the order a notification passes through them:

1. `events`, `session_notices`: a domain change (a booking, a message, a payment) says who is
   told what, inside the service's own transaction.
2. `outbox`: one row per channel joins that transaction (in-app rows are delivered by being
   stored); `types` (one module per type, declaring everything about it) checks the data each
   type needs, `preferences` the channels turned off.
3. `after_commit`: when the transaction commits, the new email rows are handed to delivery;
   a rollback forgets them.
4. `job_queue`: the hand-over is an RQ job on REDIS_URL (a work order by id, or a wake-up to
   drain); without Redis, delivery runs in-process.
5. `claim`: a worker claims due rows under a short lease, and closes those no longer worth
   sending (turned off, session cancelled, too late).
6. `lease`: the claims stay alive while the worker works on them.
7. `compose`: each claimed row becomes an email (mentorhub.mail), with its calendar invite;
   account mail is claimed, and so sent, ahead of the rest.
8. `delivery`: the email is sent over SMTP.
9. `retries`: any failure, an unexpected exception included, counts as an attempt: retried
   later with backoff, then `failed` once the attempts or the lifetime are used up.
10. `outcomes`: each row's outcome is written the moment the server answers.
11. `sweep`: on a timer in every worker, rows left behind (a dead worker, Redis down at commit)
    are re-opened and delivered.

`admin` holds the operator's commands (counts, retrying failed rows).
"""
