"""The staff roles, Tutors and Coordinators, as groups with model permissions.

Data migrations call ``grant`` with the permissions each role gains at that
point of the schema's history, so a fresh ``migrate`` gives working roles.
"""

TUTORS = "Tutors"
COORDINATORS = "Coordinators"


def grant(apps, schema_editor, roles: dict[str, dict[str, list[str]]]) -> None:
    """Give each group (created if missing) the listed permissions.

    ``roles`` maps a group name to ``{"app_label.model": ["view", "change", ...]}``.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; make
    # sure those of the apps migrated so far exist now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # create_permissions skips None
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, models in roles.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model_label, actions in models.items():
            app_label, model_name = model_label.split(".")
            codenames = [f"{action}_{model_name}" for action in actions]
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            if permissions.count() != len(codenames):
                raise RuntimeError(f"Missing permissions for {model_label}: {codenames}")
            group.permissions.add(*permissions)


def role_names(user) -> frozenset[str]:
    """The role groups ``user`` belongs to, looked up once per request's user
    (the login backend reads them with the user: remember_roles)."""
    if not user.is_authenticated or not user.is_staff:
        return frozenset()
    cached = getattr(user, "_peersupport_roles", None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=[TUTORS, COORDINATORS]).values_list("name", flat=True)
        )
        remember_roles(user, cached)
    return cached


def remember_roles(user, names) -> None:
    """Keep the role groups ``user`` belongs to, read some other way, for role_names."""
    user._peersupport_roles = frozenset(names)


def is_coordinator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or COORDINATORS in role_names(user))


def is_tutor(user) -> bool:
    return TUTORS in role_names(user)


# What a member of staff sees of learners' data (scope_of).
EVERY_COHORT = "every cohort"
TUTORED_COHORTS = "tutored cohorts"
NO_COHORT = "no cohort"


def scope_of(user) -> str:
    """Coordinators see every cohort's rows, a tutor those of the cohorts
    they tutor, anyone else none (courses/staff.py narrows the admin's rows
    by it, CohortQuerySet.in_scope the cohorts)."""
    if is_coordinator(user):
        return EVERY_COHORT
    if is_tutor(user):
        return TUTORED_COHORTS
    return NO_COHORT
