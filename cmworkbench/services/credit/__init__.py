"""Credit files (信贷档案): a loan's investigation checklist, the borrower's figures and
guarantors, the manager's and the risk manager's signatures (双签), and the post-loan checks
scheduled from the approval. ``workbench.credit`` is the facade; other capabilities use
:mod:`.api`."""
