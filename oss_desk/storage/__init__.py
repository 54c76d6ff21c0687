"""Storage: the only layer that speaks SQL (sqlite-utils and sqlite3)."""
