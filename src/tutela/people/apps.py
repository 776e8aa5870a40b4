from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tutela.people"
    label = "people"
    verbose_name = "Students and contacts"

    def ready(self) -> None:
        # Every change made through services is audited (who, when, before/after) by auditlog;
        # bulk imports are audited by their import-job record instead.
        from auditlog.registry import auditlog

        from tutela.people import models

        for model in (
            models.Code,
            models.School,
            models.Student,
            models.ContactEmail,
            models.Phone,
            models.ContactPhone,
            models.Address,
            models.ContactAddress,
            models.StudentContact,
            models.StudentContactDetail,
            models.LinkRestriction,
            models.NotDuplicates,
        ):
            auditlog.register(model)
        # A contact's schools decide which school staff see it: who changed them is audited.
        auditlog.register(models.Contact, m2m_fields={"schools"})
