"""Who AutoCreate may give a portal account: a district setting, judged on the active detail."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Eligibility:
    """A contact is eligible for a student when the active detail of their link has custody
    (if ``custody`` counts) or a relationship in ``relationships`` (compared ignoring case).

    The default (custody, or Mother, Father or Guardian) follows FERPA: parents keep access to
    their child's records unless a court says otherwise. A district that wants custody alone
    sets ``TUTELA_AUTOCREATE_RELATIONSHIPS`` to nothing.
    """

    custody: bool = True
    relationships: frozenset[str] = frozenset({"mother", "father", "guardian"})

    @classmethod
    def from_settings(cls) -> Eligibility:
        return cls(
            custody=settings.TUTELA_AUTOCREATE_CUSTODY,
            relationships=frozenset(r.lower() for r in settings.TUTELA_AUTOCREATE_RELATIONSHIPS),
        )

    def why_not(self, *, has_custody: bool, relationship: str | None) -> str | None:
        """``None`` when eligible; otherwise the reason, in a district admin's words."""
        if self.custody and has_custody:
            return None
        if relationship and relationship.lower() in self.relationships:
            return None
        custody = "no custody" if self.custody else "custody is not considered"
        return f"not eligible: {custody}, relationship {relationship or 'not recorded'}"

    def as_json(self) -> dict[str, object]:
        return {"custody": self.custody, "relationships": sorted(self.relationships)}
