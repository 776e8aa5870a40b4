"""Sync targets (``/staff/sync/``): district admins add and change the learning systems Tutela
delivers to every night, deliver one now, and read every delivery (when, what, counts,
SHA-256, success or the error). The same services as ``tutela sync``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts.access import district_admin_required
from tutela.accounts.models import Account
from tutela.rostering.models import SyncTarget
from tutela.rostering.selectors import sync_targets_visible_to
from tutela.rostering.services import add_target, run_target, update_target
from tutela.staff.sync_forms import SyncTargetForm
from tutela.staff.views.common import changed

DELIVERIES_SHOWN = 30


def _target(account: Account, pk: int) -> SyncTarget:
    return get_object_or_404(sync_targets_visible_to(actor=account), pk=pk)


@district_admin_required
def sync_targets(request: HttpRequest, account: Account) -> HttpResponse:
    targets = list(sync_targets_visible_to(actor=account))
    latest = {target.pk: target.deliveries.first() for target in targets}
    rows = [(target, latest[target.pk]) for target in targets]
    return render(request, "staff/sync_targets.html", {"rows": rows})


@district_admin_required
@require_http_methods(["GET", "POST"])
def sync_target_new(request: HttpRequest, account: Account) -> HttpResponse:
    form = SyncTargetForm(request.POST or None)
    added: list[SyncTarget] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and changed(
            request,
            f"Added sync target {form.cleaned_data['name']}.",
            lambda: added.append(
                add_target(actor=account, name=form.cleaned_data["name"], chosen=form.chosen())
            ),
            form,
        )
    ):
        return redirect("staff:sync-target", pk=added[0].pk)
    return render(request, "staff/sync_target_new.html", {"form": form})


@district_admin_required
@require_http_methods(["GET", "POST"])
def sync_target(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    target = _target(account, pk)
    form = SyncTargetForm(request.POST or None, target=target)
    if (
        request.method == "POST"
        and form.is_valid()
        and changed(
            request,
            f"Saved sync target {target.name}.",
            lambda: update_target(
                actor=account,
                target=target,
                chosen=form.chosen(),
                forget_host_key=form.cleaned_data.get("forget_host_key", False),
            ),
            form,
        )
    ):
        return redirect("staff:sync-target", pk=target.pk)
    deliveries = list(target.deliveries.all()[:DELIVERIES_SHOWN])
    return render(
        request,
        "staff/sync_target.html",
        {"target": target, "form": form, "deliveries": deliveries},
    )


@district_admin_required
@require_POST
def sync_target_run(request: HttpRequest, account: Account, pk: int) -> HttpResponse:
    """Deliver now, once: a failure is shown at once rather than retried while the page waits
    (the nightly run retries)."""
    target = _target(account, pk)
    delivery = run_target(actor=account, target=target, attempts=1)
    if delivery.succeeded:
        messages.success(request, f"Delivered {delivery.file_name} to {target.destination}.")
    else:
        messages.error(request, f"The delivery to {target.destination} failed: {delivery.error}")
    return redirect("staff:sync-target", pk=target.pk)
