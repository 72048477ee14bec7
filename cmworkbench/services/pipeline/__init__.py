"""Growing the book (DESIGN.md): referrals and leads, allocated from the branch pool."""
