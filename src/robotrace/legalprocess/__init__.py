"""The legal process log: subpoenas and civil investigative demands a regulator records."""
