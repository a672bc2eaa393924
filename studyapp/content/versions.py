"""The content version: a token (``studyapp.versions``) renewed whenever an import writes or
retires anything. Caches of pages built from the content (the dashboard's) put it in their
keys, so an import shows at once."""

from studyapp.versions import renew, token

CONTENT_KEY = "version:content"


def content_version() -> str:
    return token(CONTENT_KEY)


def content_changed() -> None:
    renew(CONTENT_KEY)
