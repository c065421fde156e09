"""The courses admin, by job: the course (content.py), cohorts (cohorts.py),
learners and enrolments (learners.py); which rows a tutor sees (scoping.py)
and what the front page asks staff to do next (todo.py)."""

from courses.admin import cohorts, content, learners

__all__ = ["cohorts", "content", "learners"]
