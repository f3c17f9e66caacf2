"""Webhooks: a signed JSON POST to a registered URL (the notification's target is its id)."""

from robotrace.notify.channels import Channel
from robotrace.notify.channels.webhook.send import deliver, prepare

WEBHOOK = Channel("webhook", prepare, deliver)
