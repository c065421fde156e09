"""Every change staff make to an account is kept: who, when, what changed
(name, email, active, staff, groups). The password is never kept, nor the
time of each login (``last_login`` is stamped without saving the account, so
a login is not a change). Coordinators read it on the account's History
page; erasing a learner deletes it (privacy/services.py)."""

from dataclasses import dataclass, fields
from functools import cached_property

import simple_history
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.html import format_html

from peersupport.people import display_name

simple_history.register(
    get_user_model(),
    app="accounts",
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups"],
)


# Reading preferences: how every page is set for a person. The defaults are
# the site's usual look; "system" follows the light or dark setting of
# the device (static/css/reading.css).
class TextSize(models.TextChoices):
    STANDARD = "standard", "Standard"
    LARGE = "large", "Large"
    LARGER = "larger", "Larger"
    LARGEST = "largest", "Largest"


class LineSpacing(models.TextChoices):
    STANDARD = "standard", "Standard"
    WIDE = "wide", "Wide"


class Font(models.TextChoices):
    STANDARD = "standard", "The site's usual font"
    ATKINSON = "atkinson", "Atkinson Hyperlegible, made so that letters are easy to tell apart"


class ColourScheme(models.TextChoices):
    SYSTEM = "system", "The same as my phone or computer"
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


class Profile(models.Model):
    """What a person chooses about themselves (on their account page)."""

    # Reading preferences (module-level above, so Meta's constraints can name them).
    TextSize = TextSize
    LineSpacing = LineSpacing
    Font = Font
    ColourScheme = ColourScheme

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    name_on_certificate = models.CharField(
        "Your name as it should appear on your certificate",
        max_length=150,
        blank=True,
        help_text="Leave empty to use your name as the course has it.",
    )
    text_size = models.CharField(
        "Text size", max_length=10, choices=TextSize, default=TextSize.STANDARD
    )
    line_spacing = models.CharField(
        "Space between lines", max_length=10, choices=LineSpacing, default=LineSpacing.STANDARD
    )
    font = models.CharField("Font", max_length=10, choices=Font, default=Font.STANDARD)
    colour_scheme = models.CharField(
        "Light or dark", max_length=10, choices=ColourScheme, default=ColourScheme.SYSTEM
    )
    high_contrast = models.BooleanField("High contrast", default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(text_size__in=TextSize.values),
                name="accounts_profile_text_size_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(line_spacing__in=LineSpacing.values),
                name="accounts_profile_line_spacing_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(font__in=Font.values), name="accounts_profile_font_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(colour_scheme__in=ColourScheme.values),
                name="accounts_profile_colour_scheme_valid",
            ),
        ]

    def __str__(self):
        return f"Profile #{self.pk}"

    @property
    def reading(self) -> "ReadingPreferences":
        return ReadingPreferences(**{name: getattr(self, name) for name in READING_FIELDS})


@dataclass(frozen=True)
class ReadingPreferences:
    """How a person likes pages set, as base.html prints it on every page
    (``html_attributes``). The login query reads it with the user
    (courses/learner/access.py), as ``user.reading``; the defaults are a
    person without a profile's."""

    text_size: str = Profile.TextSize.STANDARD.value
    line_spacing: str = Profile.LineSpacing.STANDARD.value
    font: str = Profile.Font.STANDARD.value
    colour_scheme: str = Profile.ColourScheme.SYSTEM.value
    high_contrast: bool = False

    @classmethod
    def from_row(cls, *values) -> "ReadingPreferences":
        """From raw database values in READING_FIELDS' order: all None when
        the person has no profile yet (a LEFT JOIN); SQLite's booleans are 0 and 1."""
        if all(value is None for value in values):
            return cls()
        reading = dict(zip(READING_FIELDS, values, strict=True))
        reading["high_contrast"] = bool(reading["high_contrast"])
        return cls(**reading)

    @property
    def contrast(self) -> str:
        return "high" if self.high_contrast else "standard"

    @property
    def bs_theme(self) -> str:
        """Bootstrap's data-bs-theme for a scheme the person chose; empty for
        "system", which the stylesheet settles with prefers-color-scheme."""
        return "" if self.colour_scheme == Profile.ColourScheme.SYSTEM else self.colour_scheme

    @cached_property
    def html_attributes(self) -> str:
        """The preferences as attributes of <html>, for static/css/reading.css,
        so a page is set as the person chose from its first paint, with no
        script. Made here rather than in a template: every page prints it,
        and a template include cost more than the rest of the header.
        (A visitor who is not logged in has no ``reading``: nothing is
        printed, and the site has its usual look, light or dark as their
        device is set.)"""
        return format_html(
            ' data-text-size="{}" data-line-spacing="{}" data-font="{}" data-contrast="{}"{}',
            self.text_size,
            self.line_spacing,
            self.font,
            self.contrast,
            format_html(' data-bs-theme="{}"', self.bs_theme) if self.bs_theme else "",
        )


READING_FIELDS = tuple(field.name for field in fields(ReadingPreferences))


def reading_preferences(user) -> ReadingPreferences:
    """Read with the user by the login backend; read here only for a user
    that came some other way."""
    try:
        return user.reading
    except AttributeError:
        profile = Profile.objects.filter(user=user).first()
        return profile.reading if profile else ReadingPreferences()


def name_on_certificate(user) -> str:
    """The learner's chosen name for certificates, else their full name."""
    profile = Profile.objects.filter(user=user).first()
    return (profile.name_on_certificate if profile else "") or display_name(user)
