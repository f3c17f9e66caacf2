"""Notifications: an outbox of messages, delivered by channels (e-mail, webhooks)."""
