"""RQ job entry points: each takes ids, reloads rows, and is safe to run more than once.

Every job is declared with `@job(queue)` (mentorhub.jobs.decorator). The jobs, by queue:

- notifications: `notifications.deliver_notifications(ids)` (a work order: a large commit, a
  retry or a reminder), `notifications.drain_notifications()` (the wake-up small commits
  enqueue), `notifications.sweep_notifications()` (the safety net, also run on a timer);
- default: `stats.recount_platform_counters()` (when the counters may have drifted).

Jobs are enqueued by their dotted path (mentorhub.notifications.job_queue,
mentorhub.stats.counters), so the modules that enqueue them need not import this package.
"""
