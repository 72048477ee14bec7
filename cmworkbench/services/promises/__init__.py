"""Promises with a clock (承诺): what a manager owes a customer by a deadline, tracked like a
complaint SLA (DESIGN.md, "Promises with a clock")."""
