"""E-mail over SMTP: plain-text messages to one address each (the notification's target)."""

from robotrace.notify.channels import Channel
from robotrace.notify.channels.email.send import deliver, prepare

EMAIL = Channel("email", prepare, deliver)
