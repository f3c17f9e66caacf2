"""Statistics over the analytics store: what the complaints say, period by period."""
