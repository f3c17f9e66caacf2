"""The traceback workflow: hop requests, answers, outcomes and roles, as plain functions."""
