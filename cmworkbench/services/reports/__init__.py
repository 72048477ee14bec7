"""Figures the branch is managed by: the shell's counts (:mod:`.overview`), the management report
per manager, team or branch with the records behind each figure and the weekly trend
(:mod:`.report`), and the figures' definitions written per database (:mod:`.figures`).
"""
