"""Performance benchmarks (not tests): each prints JSON with its figure and the floor or
target it is compared against. ``python -m bench all`` runs them all on one database."""
