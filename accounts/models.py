"""Every change staff make to an account is kept: who, when, what changed
(name, email, active, staff, groups). The password is never kept, nor the
time of each login (``last_login`` is stamped without saving the account, so
a login is not a change). Coordinators read it on the account's History
page; erasing a learner deletes it (privacy/services.py)."""

import simple_history
from django.contrib.auth import get_user_model

simple_history.register(
    get_user_model(),
    app="accounts",
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups"],
)
