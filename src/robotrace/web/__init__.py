"""The portal and the JSON API (FastAPI). The web layer calls the parts; never the reverse."""
