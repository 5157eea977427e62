"""Every URL pattern of the project with its full route, for the tests that walk them all (the
permissions walk and the masking walk)."""

from django.urls import URLPattern, URLResolver, get_resolver


def url_patterns(resolver=None, prefix="", namespace=None):
    """(full route, URLPattern, namespace) for every pattern under `resolver` (the project's)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace
