"""How the app names a person on a page, a report or an email."""


def display_name(user) -> str:
    """Their full name, or their username when they have not given one."""
    return name_from_parts(user.first_name, user.last_name, user.get_username())


def name_from_parts(first_name: str, last_name: str, username: str) -> str:
    """``display_name`` of a person read as values rather than as a User (a
    list of many rows). The full name as Django's User.get_full_name() puts it."""
    return f"{first_name} {last_name}".strip() or username
