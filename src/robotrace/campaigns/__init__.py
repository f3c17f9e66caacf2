"""Campaigns: calls grouped by what they say."""
