"""The course loop: release labs to a cohort, collect, autograde in a sandbox, feedback, gradebook."""
