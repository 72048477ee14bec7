"""Scheduled jobs: what runs when (:mod:`.definitions`), the leader that runs them
(:mod:`.leader`), and APScheduler reading time from :mod:`cmworkbench.clock`
(:mod:`.clockwork`)."""
