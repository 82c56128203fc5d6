from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ewtp.exceptions import ApplicationError
from payments import selectors, services


@csrf_exempt  # Stripe signs the request instead; the signature is checked first
@require_POST
def stripe_webhook(request):
    try:
        event = services.provider_event_receive(payload=request.body,
                                                signature=request.headers.get("Stripe-Signature", ""))
    except ApplicationError as exc:
        return JsonResponse(exc.as_json(), status=400)
    return JsonResponse({"received": True, "duplicate": event is None})


@staff_member_required
def ledger(request):
    """Staff: balances by account and the latest transactions, filtered by account or reference."""
    prefix = request.GET.get("account", "")[:60]
    reference = request.GET.get("reference", "")[:40]
    return render(request, "payments/ledger.html", {
        "balances": selectors.account_balances(prefix=prefix),
        "transactions": selectors.ledger_transactions(account=prefix, reference=reference)[:100],
        "report": selectors.ledger_check(), "prefix": prefix, "reference": reference,
    })
