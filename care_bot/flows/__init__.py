"""Use cases: each flow takes Services and plain arguments, and returns what to show."""
