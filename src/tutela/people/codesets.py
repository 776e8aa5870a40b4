"""Code sets: the district's lists of allowed values, and matching text against them."""

from __future__ import annotations

from collections import defaultdict

from tutela.people.models import Code, CodeType


class CodeProblem(ValueError):
    """Text that matches no code of its type, or matches more than one."""


class CodeBook:
    """Every code in memory, for matching many values without a query each.

    Codes match case-insensitively. A state may be written ``COUNTRY_STATE`` or, when the
    state code is unique across countries, as the bare state code.
    """

    def __init__(self, codes: list[Code]) -> None:
        by_id = {code.pk: code for code in codes}
        self._exact: dict[tuple[str, str], Code] = {}
        self._bare_states: dict[str, list[Code]] = defaultdict(list)
        for code in codes:
            if code.code_type == CodeType.STATE and code.parent_id is not None:
                country = by_id[code.parent_id]
                code.parent = country
                self._exact[(CodeType.STATE, f"{country.code}_{code.code}".lower())] = code
                self._bare_states[code.code.lower()].append(code)
            else:
                self._exact[(code.code_type, code.code.lower())] = code

    @classmethod
    def load(cls) -> CodeBook:
        return cls(list(Code.objects.all()))

    def match(self, code_type: CodeType, text: str) -> Code:
        key = text.strip().lower()
        found = self._exact.get((code_type, key))
        if found is not None:
            return found
        if code_type == CodeType.STATE:
            candidates = self._bare_states.get(key, [])
            if len(candidates) == 1:
                return candidates[0]
            if len(candidates) > 1:
                spelled = ", ".join(sorted(c.qualified_code for c in candidates))
                raise CodeProblem(
                    f"{text!r} is a state of several countries; write one of {spelled}"
                )
        raise CodeProblem(f"{text!r} is not a {code_type} code")
