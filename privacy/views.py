"""Pages: "Your data" in the account settings — download everything (a ZIP of JSON files) and erase
the account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ewtp.exceptions import ApplicationError
from ewtp.views import form_error
from privacy.forms import ErasureForm
from privacy.selectors import erasure_obligations, personal_data_archive
from privacy.services import OpenObligations, erasure_request


@login_required
@require_http_methods(["GET", "POST"])
def privacy_page(request):
    form = ErasureForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                erasure_request(user=request.user, password=form.cleaned_data["password"])
            except OpenObligations as exc:
                form.add_error(None, _("Your data cannot be erased yet."))
                for obligation in exc.obligations:
                    form.add_error(None, obligation)
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                logout(request)
                messages.success(request, _("Your account is closed and your personal data erased. Records the "
                                            "law makes us keep are anonymised when their retention period ends."))
                return redirect("marketplace:catalog")
        status = 400
    return render(request, "privacy/privacy.html", {
        "form": form, "obligations": erasure_obligations(user=request.user)}, status=status)


@login_required
@require_GET
def export_download(request):
    filename, archive = personal_data_archive(user=request.user)
    return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
