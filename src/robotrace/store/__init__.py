"""The store: SQLAlchemy 2 models, Alembic migrations, the database session and backups."""
