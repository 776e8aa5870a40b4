"""Reading sync targets: which a person may see, and which failed last."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from tutela.accounts.scopes import Actor, Scope
from tutela.rostering.models import SyncDelivery, SyncTarget


def sync_targets_visible_to(*, actor: Actor) -> QuerySet[SyncTarget]:
    """Every target for the district-wide (they hold the whole district's hand-off), none for
    anyone else."""
    if not Scope.of(actor).district_wide:
        return SyncTarget.objects.none()
    return SyncTarget.objects.prefetch_related("schools").order_by("name")


@dataclass(frozen=True)
class FailingTarget:
    """A target whose latest delivery failed, and that delivery."""

    target: SyncTarget
    delivery: SyncDelivery


def failing_targets(*, actor: Actor) -> list[FailingTarget]:
    """The targets whose latest delivery failed (after its retries), for the staff home."""
    latest = SyncDelivery.objects.filter(target=OuterRef("pk")).order_by("-started_at", "-pk")
    targets = sync_targets_visible_to(actor=actor).annotate(
        latest_delivery=Subquery(latest.values("pk")[:1])
    )
    found = {target.latest_delivery: target for target in targets if target.latest_delivery}
    failed = SyncDelivery.objects.filter(pk__in=list(found), succeeded=False)
    return [FailingTarget(found[delivery.pk], delivery) for delivery in failed.order_by("pk")]
