"""Complaint tickets (投诉): taking one, the lists and one ticket in full, the lifecycle's actions
(:mod:`.tickets`), and the SLA clocks with their warnings, escalations and breaches
(:mod:`.sla`). Whoever receives a complaint owns it to the end; the supervisor closes it after
the return call.
"""
