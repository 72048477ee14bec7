"""What reaches a person unasked: reminders, SLA warnings and escalations are written once per
recipient and key (:mod:`.notify`, used by the jobs and the services), and read, counted and
marked read in one's own inbox (:mod:`.inbox`).
"""
