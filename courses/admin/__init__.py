"""The courses admin, by job: the course (content.py), cohorts (cohorts.py),
learners and enrolments (learners.py), and what the front page asks staff to
do next about cohorts (todo.py). Which rows a tutor sees: courses/staff.py."""

from courses.admin import cohorts, content, learners

__all__ = ["cohorts", "content", "learners"]
