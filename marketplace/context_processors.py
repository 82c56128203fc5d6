def buyer_context(request):
    """Ship-to country and currency for the top bar (and every landed-cost figure)."""
    from marketplace.selectors import buyer_context_for

    try:
        return {"buyer_context": buyer_context_for(getattr(request, "user", None), buyer_kind=False)}
    except Exception:  # reference data not loaded yet: pages still render
        return {}
