"""The staff audit trail: one call in each service that does a staff action."""

from __future__ import annotations


def staff_action_record(*, actor, action: str, target: str, **detail):
    """Record that `actor` did `action` to `target` (call it inside the action's transaction)."""
    from ewtp.models import StaffAction

    return StaffAction.objects.create(actor=actor, actor_email=getattr(actor, "email", "") or "",
                                      action=action, target=target[:80],
                                      detail={k: str(v) for k, v in detail.items()})
