from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import second_factor

        # Django saves the whole account to stamp last_login, which the
        # account's history would record as a change at every login.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(stamp_last_login, dispatch_uid="accounts-stamp-last-login")

        user_logged_in.connect(
            lambda sender, request, user, **kwargs: second_factor.note_login(request, user),
            weak=False,
            dispatch_uid="accounts-second-factor-note-login",
        )


def stamp_last_login(sender, user, **kwargs):
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)
