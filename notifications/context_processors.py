def unread_notifications(request):
    """The top bar's unread count, counted only when a page shows it (signed-in users)."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.selectors import unread_count

    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user=user))}
