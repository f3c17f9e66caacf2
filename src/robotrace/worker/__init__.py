"""``robotrace worker``: the background loop that queues and sends notifications and applies
the no-response policy. Any number of workers may run at once (see docs/notifications.md)."""
