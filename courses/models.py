from django.db import models

from peersupport.models import CourseContent


class CourseQuerySet(models.QuerySet):
    def current(self):
        """The course learners are taking.

        One course runs at a time for now; cohorts (a later issue) will tie each
        learner to theirs, and this is the one place that has to change.
        """
        return self.order_by("pk").first()


class Course(CourseContent):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    overview = models.TextField(
        blank=True, help_text="Shown at the top of every learner's dashboard. Markdown."
    )
    overview_html = models.TextField(blank=True, editable=False)
    resources = models.TextField(
        blank=True,
        help_text=(
            "The Useful Resources page, in Markdown. Keep a heading called "
            "'Support right now': the 'Need support now?' link on every page leads to it."
        ),
    )
    resources_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"overview": "overview_html", "resources": "resources_html"}
    content_fields = ("title", "overview", "resources")

    objects = CourseQuerySet.as_manager()

    def __str__(self):
        return self.title
