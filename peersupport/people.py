"""How the app names a person on a page, a report or an email."""


def display_name(user) -> str:
    """Their full name, or their username when they have not given one."""
    return user.get_full_name() or user.get_username()
