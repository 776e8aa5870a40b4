"""``{% url %}`` for every template, remembering the addresses that never change.

Django's ``{% url %}`` reverses its view name on every render. Most of Tutela's links name a
view with no arguments (the menu, the account links, the sign-out and language forms on every
page), and reversing those nine links was a tenth of a parent's portal page. This library is a
template builtin (``TEMPLATES`` in the settings) that replaces the tag: a link with a quoted
view name and no arguments is reversed once per process for each script prefix, URLconf and
current application (the inputs of ``reverse``), everything else is Django's own ``URLNode``.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@lru_cache(maxsize=1024)
def _fixed_address(
    view_name: str, current_app: str | None, prefix: str, urlconf: str | None
) -> str:
    """The address of a view with no arguments; ``prefix`` and ``urlconf`` are in the key
    because ``reverse`` reads them from the request's thread."""
    return reverse(view_name, current_app=current_app)


class FixedURLNode(URLNode):
    """A ``{% url 'name' %}`` with no arguments, reversed once."""

    def render(self, context: Context) -> str:
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            address = _fixed_address(
                str(self.view_name.var), current_app, get_script_prefix(), get_urlconf()
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
            address = ""
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


@register.tag
def url(parser: Parser, token: Token) -> URLNode:
    node = django_url(parser, token)
    fixed = not node.args and not node.kwargs
    if fixed and isinstance(node.view_name.var, str) and not node.view_name.filters:
        return FixedURLNode(node.view_name, [], {}, node.asvar)
    return node
