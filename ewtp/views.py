"""Small helpers that every app's page views share."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ewtp.exceptions import ApplicationError

# A page's 403 and 404: (title, headline, sentence), shown as an empty state with a way back to the catalog.
ERROR_PAGES = {
    403: (_("Not allowed"), _("This page is for another role"),
          _("Your account does not hold the permission this page needs. Ask a platform administrator if your "
            "work needs it.")),
    404: (_("Not found"), _("We could not find that page"),
          _("It may have been removed, or you may not have access to it.")),
}


def error_page(request, status: int):
    """The page for a 403 or a 404, with its status."""
    title, headline, message = ERROR_PAGES[status]
    return render(request, "error.html", {"title": title, "headline": headline, "message": message},
                  status=status)


def permission_required(perm: str, *, post: str | None = None):
    """A staff page for holders of `perm` (and of `post` too for a POST): a visitor is asked to log in,
    anyone else is refused (403). The view declares what it needs (`required_permissions`), which the
    test that walks every URL reads."""
    needed = {"GET": perm, "POST": post or perm}

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            required = [perm] + ([needed["POST"]] if request.method == "POST" and post else [])
            if not request.user.has_perms(required):
                return error_page(request, 403)
            return view(request, *args, **kwargs)
        wrapped.required_permissions = needed
        return wrapped
    return decorator


def shared_with_staff(perm: str):
    """Mark a page its owners see (the view checks who owns what) that holders of `perm` see too;
    the view checks `perm` itself. Read by the test that walks every URL."""
    def decorator(view):
        view.required_permissions = {"GET": perm, "POST": perm, "owners": True}
        return view
    return decorator


def form_error(form, exc: ApplicationError) -> None:
    """Show a service's error at the form field it names, or at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def csp_replace(response, directives: dict[str, list[str]], *, permissions_policy: str | None = None):
    """`response` with these Content-Security-Policy directives in place of the site's (and another
    Permissions-Policy): a page that needs more than the site's policy (Stripe's script and frames) says
    so at run time, which django-csp's `@csp_replace` decorator cannot (it holds one value for a view)."""
    response._csp_replace = {**(getattr(response, "_csp_replace", None) or {}), **directives}  # django-csp's hook
    if permissions_policy:
        response["Permissions-Policy"] = permissions_policy
    return response
