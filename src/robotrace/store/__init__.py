"""The store: SQLAlchemy 2 models, Alembic migrations, and repository functions."""
