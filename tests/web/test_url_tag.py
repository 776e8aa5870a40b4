"""``{% url %}``: links with no arguments are reversed once, and still come out right."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from tutela.web.url_tag import FixedURLNode, _fixed_address


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_a_link_with_no_arguments_is_reversed_once_per_script_prefix() -> None:
    _fixed_address.cache_clear()
    assert render("{% url 'portal:home' %} {% url 'portal:home' %}") == "/portal/ /portal/"
    assert _fixed_address.cache_info().misses == 1
    try:
        set_script_prefix("/district/")
        assert render("{% url 'portal:home' %}") == "/district/portal/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'portal:home' %}") == reverse("portal:home")


def test_links_with_arguments_or_a_named_view_are_django_s_own() -> None:
    template = Template("{% url 'portal:student' 7 %}|{% url name %}|{% url 'portal:home' %}")
    kinds = [type(node).__name__ for node in template.nodelist]
    assert kinds.count("FixedURLNode") == 1
    assert template.render(Context({"name": "portal:home"})) == (
        f"{reverse('portal:student', args=[7])}|/portal/|/portal/"
    )
    assert isinstance(Template("{% url 'home' %}").nodelist[0], FixedURLNode)


def test_as_a_variable_and_unknown_views_behave_as_django_s_tag() -> None:
    assert render("{% url 'no-such-view' as missing %}[{{ missing }}]") == "[]"
    assert render("{% url 'portal:home' as home %}<{{ home }}>") == "</portal/>"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
