"""What the KPI service accepts of a learner container's activity report: one definition for the
service that enforces it and the kernel extension that sends it (kept import-free: every kernel loads it)."""

MAX_MINUTES_PER_CALL = 500
PAST_MINUTES, FUTURE_MINUTES = 7 * 24 * 60, 5  # a container reports its last week, its clock may be a bit ahead
MAX_EXECUTIONS = 10_000  # cells in one minute
