"""Accounts: users, passwords, browser sessions, API tokens, sign-in throttling, resets.

Plain functions over a SQLAlchemy session; the web layer calls them, they never import it.
"""
