"""The people of the branch: the directory of colleagues in scope (:mod:`.directory`), staff and
team administration with leave and deactivation (:mod:`.admin`), the team board with its
reassignments (:mod:`.board`), SSH keys and ``authorized_keys`` (:mod:`.ssh_keys`), and the
daily work log (:mod:`.worklog`).
"""
