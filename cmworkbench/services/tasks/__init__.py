"""The day's work: the daily generation of tasks from the rules (:mod:`.generate`), the Today list
within the day's capacity (:mod:`.today`), logging a contact and what it closes
(:mod:`.contacts`), working a task by hand (:mod:`.actions`), and the reminders and digests the
scheduler sends (:mod:`.reminders`).
"""
