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
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

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
