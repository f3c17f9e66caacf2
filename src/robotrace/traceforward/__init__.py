"""Trace Forward: asking the carrier a campaign's call-back number was assigned to whose
customer the number is (docs/concepts.md, "Trace Forward")."""
