"""Storage: SQLAlchemy Core tables, engines, the unit of work and the SQL store."""
