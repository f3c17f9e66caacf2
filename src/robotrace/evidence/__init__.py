"""Evidence: importers that turn honeypot calls, complaints and captures into store rows."""
