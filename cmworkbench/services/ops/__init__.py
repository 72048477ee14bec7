"""The server running itself: the database's schema and search index (:mod:`.database`), the
scheduler's lease and job runs (:mod:`.lease`), backups and restores on SQLite and PostgreSQL
(:mod:`.backup`, :mod:`.backup_pg`), and the demo branch (:mod:`.demo`).
"""
