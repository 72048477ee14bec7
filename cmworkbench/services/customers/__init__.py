"""Customers as a manager meets them: look-up (:mod:`.search`), the 360 view (:mod:`.profile`,
:mod:`.timeline`), edits and the audited reveal of masked data (:mod:`.edit`, :mod:`.reveal`),
customer lists for Excel (:mod:`.export`), and a change of owner with everything that follows it
(:mod:`.ownership`, used by the handover of a book, :mod:`.handover`, and by imports).
"""
