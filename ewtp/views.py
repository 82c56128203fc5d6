"""Small helpers that every app's page views share."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from ewtp.exceptions import ApplicationError


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
                return render(request, "403.html", status=403)
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
