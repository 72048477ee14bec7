"""What reaches a person unasked, read in their own inbox: the list of one's notifications, the
unread count, what arrived since the last poll (for the toasts) and marking them read
(:mod:`.inbox`). The notices themselves are written, once per recipient and key, by the jobs
and the services through :mod:`cmworkbench.services.core.notify`.
"""
