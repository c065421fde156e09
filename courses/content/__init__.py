"""The course as files in ``content/``: reading them (reading.py), loading
them into the database (loading.py) and writing the database back out as
files (writing.py)."""

from courses.content.loading import LoadReport, load_course
from courses.content.reading import DEFAULT_CONTENT_DIR, ContentError, read_course
from courses.content.writing import write_course

__all__ = [
    "DEFAULT_CONTENT_DIR",
    "ContentError",
    "LoadReport",
    "load_course",
    "read_course",
    "write_course",
]
