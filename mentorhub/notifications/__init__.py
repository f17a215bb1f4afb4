"""Notifications: rows written with the event, queued by id, delivered by workers."""
