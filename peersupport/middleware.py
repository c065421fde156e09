from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string


class RefuseNulCharactersMiddleware:
    """Refuse requests with a NUL character in a query string or form field.

    Forms refuse NULs themselves, but search boxes, filters and admin actions
    pass query values straight to the database, and PostgreSQL cannot store
    or compare a NUL: without this the request would fail with a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Multipart forms (the site's and the admin's) are left to their form
        # fields, which refuse NULs with a message beside the field.
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type != "multipart/form-data"
            and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(
                render_to_string("400.html", {"reason": "nul"}, request=request)
            )
        return self.get_response(request)


def _has_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists()
    )
