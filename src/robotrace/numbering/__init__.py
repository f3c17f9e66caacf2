"""Number blocks: who each NANP number block was assigned to (Trace Forward)."""
