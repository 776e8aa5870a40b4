"""The ``/api/v1/`` endpoints: thin adapters over the services and selectors the staff screens
use. Every record is fetched from the caller's ``Scope`` (anything outside it answers 404) and
every change is a service call with the token's person as actor."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tutela.accounts import services as account_services
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.accounts.selectors import parent_accounts_visible_to
from tutela.api import serializers as s
from tutela.api.permissions import IsDistrictAdmin
from tutela.imports import selectors as import_selectors
from tutela.imports.jobs import queue_run
from tutela.imports.results import OUTCOMES
from tutela.imports.uploads import store_upload
from tutela.people import services as people
from tutela.people.models import Contact, StudentContact, StudentContactDetail
from tutela.people.selectors import contacts_visible_to
from tutela.provisioning import selectors as autocreate_selectors
from tutela.provisioning.jobs import start_autocreate_job
from tutela.provisioning.selection import Selection


def actor(request: Request) -> Account:
    account = request.user
    assert isinstance(account, Account)  # the permission let only a staff account through
    return account


class StudentViewSet(viewsets.ReadOnlyModelViewSet[Any]):
    """The students the caller's screens list: their schools', their sections'."""

    serializer_class = s.StudentSerializer

    def get_queryset(self) -> models.QuerySet[Any]:
        return Scope.of(self.request.user).students().select_related("school").order_by("pk")


class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Any],
):
    """Contacts with their emails, phones, addresses and links to the caller's students."""

    serializer_class = s.ContactSerializer

    def get_queryset(self) -> models.QuerySet[Any]:
        return (
            contacts_visible_to(actor=self.request.user)  # type: ignore[arg-type]  # an Account
            .prefetch_related(
                "phones__phone",
                "phones__phone_type",
                "emails__email_type",
                "addresses__address__state",
                "addresses__address_type",
            )
            .order_by("pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "scope": Scope.of(self.request.user)}

    @extend_schema(request=s.ContactCreateSerializer, responses={201: s.ContactSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = s.ContactCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        student = None
        if data.get("student") is not None:
            student = get_object_or_404(Scope.of(request.user).students(), pk=data["student"])
        contact = people.create_contact_for_student(
            actor=actor(request),
            student=student,
            last_name=data["last_name"],
            first_name=data["first_name"],
            middle_name=data["middle_name"],
            email=data["email"],
            phone=data["phone"],
            relationship_type=data.get("relationship_type"),
            rights=people.LinkRights(allow_data_access=data["allow_data_access"]),
        )
        shown = self.get_queryset().filter(pk=contact.pk).first() or contact
        return Response(self.get_serializer(shown).data, status=status.HTTP_201_CREATED)

    def _shown(self, contact: Contact) -> Any:
        return self.get_serializer(self.get_queryset().get(pk=contact.pk)).data

    def _changed(self, request: Request, given: Any, change: Any) -> Response:
        """Make the change on a contact the caller may open (404 otherwise), then show it."""
        contact = self.get_object()
        given.is_valid(raise_exception=True)
        people.require_contact_in_scope(actor=actor(request), contact=contact)
        change(contact, given.validated_data)
        return Response(self._shown(contact))

    @extend_schema(request=s.ContactUpdateSerializer, responses=s.ContactSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct the contact's names and state-reporting fields."""
        return self._changed(
            request,
            s.ContactUpdateSerializer(data=request.data),
            lambda contact, data: people.update_contact(
                actor=actor(request), contact=contact, **data
            ),
        )

    @extend_schema(request=s.EmailCreateSerializer, responses=s.ContactSerializer)
    @action(detail=True, methods=["post"])
    def emails(self, request: Request, pk: str) -> Response:
        return self._changed(
            request,
            s.EmailCreateSerializer(data=request.data),
            lambda contact, data: people.add_email(actor=actor(request), contact=contact, **data),
        )

    @extend_schema(request=s.PhoneCreateSerializer, responses=s.ContactSerializer)
    @action(detail=True, methods=["post"])
    def phones(self, request: Request, pk: str) -> Response:
        return self._changed(
            request,
            s.PhoneCreateSerializer(data=request.data),
            lambda contact, data: people.add_phone(actor=actor(request), contact=contact, **data),
        )

    @extend_schema(request=s.AddressCreateSerializer, responses=s.ContactSerializer)
    @action(detail=True, methods=["post"])
    def addresses(self, request: Request, pk: str) -> Response:
        return self._changed(
            request,
            s.AddressCreateSerializer(data=request.data),
            lambda contact, data: people.add_address(actor=actor(request), contact=contact, **data),
        )

    def _removed(self, related: str, pk: str, remove: Any) -> Response:
        """Remove one of a contact's ``related`` records (404 unless it is that contact's),
        then show the contact."""
        contact = self.get_object()
        remove(get_object_or_404(getattr(contact, related), pk=pk))
        return Response(self._shown(contact))

    @extend_schema(request=None, responses=s.ContactSerializer)
    @action(detail=True, methods=["delete"], url_path=r"emails/(?P<email_id>[0-9]+)")
    def remove_email(self, request: Request, pk: str, email_id: str) -> Response:
        return self._removed(
            "emails", email_id, lambda email: people.remove_email(actor=actor(request), email=email)
        )

    @extend_schema(request=None, responses=s.ContactSerializer)
    @action(detail=True, methods=["delete"], url_path=r"phones/(?P<phone_id>[0-9]+)")
    def remove_phone(self, request: Request, pk: str, phone_id: str) -> Response:
        return self._removed(
            "phones",
            phone_id,
            lambda phone: people.remove_phone(actor=actor(request), contact_phone=phone),
        )

    @extend_schema(request=None, responses=s.ContactSerializer)
    @action(detail=True, methods=["delete"], url_path=r"addresses/(?P<address_id>[0-9]+)")
    def remove_address(self, request: Request, pk: str, address_id: str) -> Response:
        return self._removed(
            "addresses",
            address_id,
            lambda address: people.remove_address(actor=actor(request), contact_address=address),
        )


class LinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    """Who is linked to the caller's students, with which rights; data access granted and
    revoked from a day, by a new dated detail."""

    serializer_class = s.LinkSerializer

    def get_queryset(self) -> models.QuerySet[Any]:
        return (
            StudentContact.objects.filter(student__in=Scope.of(self.request.user).students())
            .select_related("student__school")
            .prefetch_related("details__relationship_type")
            .order_by("pk")
        )

    @extend_schema(request=s.LinkCreateSerializer, responses={201: s.LinkSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = s.LinkCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        scope = Scope.of(request.user)
        link = people.attach_student(
            actor=actor(request),
            contact=get_object_or_404(scope.contacts(), pk=data["contact"]),
            student=get_object_or_404(scope.students(), pk=data["student"]),
            relationship_type=data.get("relationship_type"),
            rights=given.rights(),
        )
        return Response(self._shown(link), status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: StudentContact) -> None:
        people.remove_link(actor=actor(self.request), link=instance)

    def _shown(self, link: StudentContact) -> Any:
        return self.get_serializer(self.get_queryset().get(pk=link.pk)).data

    def _access(self, request: Request, *, allow: bool) -> Response:
        link = self.get_object()
        given = s.AccessChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        people.change_data_access(
            actor=actor(request), link=link, allow=allow, day=given.validated_data.get("start_date")
        )
        return Response(self._shown(link))

    @extend_schema(request=s.AccessChangeSerializer, responses=s.LinkSerializer)
    @action(detail=True, methods=["post"])
    def grant(self, request: Request, pk: str) -> Response:
        """Grant data access from a day (today when no ``start_date`` is given)."""
        return self._access(request, allow=True)

    @extend_schema(request=s.AccessChangeSerializer, responses=s.LinkSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        """Revoke data access from a day (today when no ``start_date`` is given)."""
        return self._access(request, allow=False)

    @extend_schema(request=s.RestrictionSerializer, responses=s.LinkSerializer)
    @action(detail=True, methods=["post"])
    def restrict(self, request: Request, pk: str) -> Response:
        """Restrict the link (a court order, a custody agreement): from the next request on
        the contact sees nothing of the student, in the portal, the exports or the OneRoster
        API. School and district admins only."""
        link = self.get_object()
        given = s.RestrictionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        people.restrict_link(actor=actor(request), link=link, **given.validated_data)
        return Response(self._shown(link))

    @extend_schema(request=s.LiftSerializer, responses=s.LinkSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str) -> Response:
        """Lift the link's restriction, saying why; the record of it stays."""
        link = self.get_object()
        given = s.LiftSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        people.lift_restriction(actor=actor(request), link=link, note=given.validated_data["note"])
        return Response(self._shown(link))

    @extend_schema(request=s.DetailWriteSerializer, responses={201: s.LinkSerializer})
    @action(detail=True, methods=["post"])
    def details(self, request: Request, pk: str) -> Response:
        """A new dated detail: from its start date these facts hold instead."""
        link = self.get_object()
        given = s.DetailWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if data.get("start_date") is None:
            return Response(
                {"start_date": ["a new detail needs the day it starts"]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        people.add_link_detail(
            actor=actor(request),
            link=link,
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            relationship_type=data.get("relationship_type"),
            relationship_note=data["relationship_note"],
            rights=given.rights(),
        )
        return Response(self._shown(link), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DetailWriteSerializer, responses=s.LinkSerializer)
    @action(detail=True, methods=["put"], url_path=r"details/(?P<detail_id>[0-9]+)")
    def detail_record(self, request: Request, pk: str, detail_id: str) -> Response:
        """Correct one detail record: its relationship, dates and rights."""
        link = self.get_object()
        given = s.DetailWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        detail = get_object_or_404(StudentContactDetail, link=link, pk=detail_id)
        people.update_link_detail(
            actor=actor(request),
            detail=detail,
            relationship_type=data.get("relationship_type"),
            relationship_note=data["relationship_note"],
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            rights=given.rights(),
        )
        return Response(self._shown(link))


class AccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Any],
):
    """Parents' portal accounts: created, enabled, disabled, sent an activation link."""

    serializer_class = s.AccountSerializer

    def get_queryset(self) -> models.QuerySet[Any]:
        return parent_accounts_visible_to(actor=self.request.user).order_by("pk")  # type: ignore[arg-type]  # an Account

    @extend_schema(request=s.AccountCreateSerializer, responses={201: s.AccountSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = s.AccountCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        contact: Contact = get_object_or_404(Scope.of(request.user).contacts(), pk=data["contact"])
        account = account_services.create_account(
            actor=actor(request),
            contact=contact,
            username=data.get("username") or None,
            email=data.get("email") or None,
            send_activation=data["send_activation"],
        )
        return Response(self.get_serializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.AccountSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        account_services.enable_account(actor=actor(request), account=account)
        return Response(self.get_serializer(account).data)

    @extend_schema(request=None, responses=s.AccountSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        account_services.disable_account(actor=actor(request), account=account)
        return Response(self.get_serializer(account).data)

    @extend_schema(request=None, responses=s.AccountSerializer)
    @action(detail=True, methods=["post"], url_path="send-activation")
    def send_activation(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        account_services.send_activation(actor=actor(request), account=account)
        return Response(self.get_serializer(account).data)


class ImportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Any],
):
    """A file of any kind the import registry knows: uploaded, previewed (the engine's dry run,
    in the background), then imported for real."""

    serializer_class = s.ImportUploadSerializer

    def get_queryset(self) -> models.QuerySet[Any]:
        uploads = import_selectors.uploads_of(actor=self.request.user)  # type: ignore[arg-type]  # an Account
        return uploads.select_related("preview", "imported").order_by("-pk")

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadCreateSerializer},
        responses={201: s.ImportUploadSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a file and start its preview: the upload carries the preview job."""
        given = s.ImportUploadCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        upload_file = given.validated_data["file"]
        upload = store_upload(
            kind=given.validated_data["kind"],
            file_name=upload_file.name,
            chunks=upload_file.chunks(),
            actor=actor(request),
        )
        queue_run(upload=upload, actor=actor(request), dry_run=True)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=upload.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={202: s.ImportUploadSerializer})
    @action(detail=True, methods=["post"], url_path="import")
    def run_import(self, request: Request, pk: str) -> Response:
        """After a finished preview: the same file and mapping, for real."""
        upload = self.get_object()
        queue_run(upload=upload, actor=actor(request), dry_run=False)
        shown = self.get_queryset().get(pk=upload.pk)
        return Response(self.get_serializer(shown).data, status=status.HTTP_202_ACCEPTED)


class ImportJobViewSet(viewsets.ReadOnlyModelViewSet[Any]):
    """Import jobs: status and totals, and each row's outcome and messages."""

    serializer_class = s.ImportJobSerializer

    def get_queryset(self) -> models.QuerySet[Any]:
        jobs = import_selectors.jobs_visible_to(actor=self.request.user)  # type: ignore[arg-type]  # an Account
        return jobs.defer("row_results_gz", "rejected_rows_gz").order_by("-pk")

    @extend_schema(
        parameters=[OpenApiParameter("outcome", str, enum=list(OUTCOMES))],
        responses=s.ImportRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        outcome = request.query_params.get("outcome", "")
        if outcome and outcome not in OUTCOMES:
            return Response(
                {"outcome": [f"one of {', '.join(OUTCOMES)}"]}, status=status.HTTP_400_BAD_REQUEST
            )
        page = self.paginate_queryset(import_selectors.job_rows(job=job, outcome=outcome))
        return self.get_paginated_response(s.ImportRowSerializer(page, many=True).data)


class AutoCreateJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Any],
):
    """AutoCreate runs (district admins): a simulation or a real run, queued."""

    serializer_class = s.AutoCreateJobSerializer
    permission_classes = [IsDistrictAdmin]

    def get_queryset(self) -> models.QuerySet[Any]:
        jobs = autocreate_selectors.jobs_visible_to(actor=self.request.user)  # type: ignore[arg-type]  # an Account
        return jobs.order_by("-pk")

    @extend_schema(
        request=s.AutoCreateJobCreateSerializer, responses={201: s.AutoCreateJobSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = s.AutoCreateJobCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        job = start_autocreate_job(
            selection=Selection(school=data["school"], grades=tuple(data.get("grades") or ())),
            actor=actor(request),
            simulate=data["simulate"],
        )
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)
