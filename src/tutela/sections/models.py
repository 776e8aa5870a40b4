"""Class sections: a course taught at a school, its teachers and the students enrolled in it.

Sections exist so that a homeroom teacher can hand out the access codes of their own class and
nobody else's (PowerSchool's course-level code download); they are imported from the SIS with
``tutela import sections FILE``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Section(models.Model):
    """One class section, known across the district by the SIS section id."""

    section_id = models.CharField("section id", max_length=64, unique=True)
    school = models.ForeignKey("people.School", on_delete=models.PROTECT, related_name="sections")
    name = models.CharField("course name", max_length=200, blank=True)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="taught_sections"
    )
    students = models.ManyToManyField("people.Student", blank=True, related_name="sections")

    class Meta:
        ordering = ["school", "section_id"]

    def __str__(self) -> str:
        return f"{self.name or 'Section'} ({self.section_id})"
