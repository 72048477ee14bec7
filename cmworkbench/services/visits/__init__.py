"""Visits: the week's plan and its items (:mod:`.plans`), the supervisor's approval
(:mod:`.approval`), proposals from due work (:mod:`.proposals`), the record of a visit and plan
against actual (:mod:`.records`), the month's view (:mod:`.month`), the plan as iCalendar
(:mod:`.ical`) and on-site service days at a group customer (:mod:`.onsite`).
"""
