# nbgrader for a cohort's trainer: the formgrader works on the cohort's course, mounted at
# ~/course by the hub (the gradebook, collected and autograded submissions, feedback).
# Its "autograde" only re-scores the outputs the grading sandbox produced: learner code never
# runs in a trainer's server.
import os

from sandlab.grading.course import record_only_config

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
c.CourseDirectory.root = os.path.expanduser("~/course")
c.CourseDirectory.course_id = os.environ.get("SANDLAB_COHORT", "sandlab")
record_only_config(c)
