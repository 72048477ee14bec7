"""APScheduler jobs and the scheduler lease (filled in by the scheduler issue)."""
