"""Validators for the API: ETag and Last-Modified on reads, If-Match on writes.

A list's validator comes from the request (path and query string) and the
content version (`risks.content_version`), which is raised after every committed
change to register content; reading it is one query by primary key, whatever
the size of the list.

A record's ETag has two parts. The first is the record's own revision, which
every write raises. The second covers everything else its representation shows:
values that change without its revision moving (its rating after a matrix
change, its levels' labels, its children's updates), read in one query, and the
content version, for the values of other records. A read gets 304 only if both
match; a write's If-Match is checked against the first alone, so a write is
refused only when the record itself was written since it was read.

304 responses are decided before any body is built. A list's rendered body is
kept in the `api-bodies` cache under its ETag, so the next full GET of the same
list at the same content version sends it again instead of building it.
"""

import datetime as dt
import hashlib
import json

from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from rest_framework.exceptions import NotFound

from riskregister.api.exceptions import PreconditionFailed, PreconditionRequired
from risks import content_version
from risks.services import StaleRevisionError

# A bigger body is built each time: it would crowd smaller ones out of the cache.
LARGEST_CACHED_BODY = 256 * 1024


def make_etag(*parts):
    digest = hashlib.sha256(
        json.dumps(parts, default=str, sort_keys=True).encode()
    ).hexdigest()
    return f'"{digest[:32]}"'


def _own_part(state):
    """The record part of a record's ETag: its opening quote and 32 digits."""
    return make_etag("record", state["pk"], state["revision"])[:-1]


def _same_record(tag, own):
    """Whether an ETag sent in If-Match has the record part `own`.

    If-Match compares strongly: a weak tag (W/"...") never matches.
    """
    return tag.startswith(f"{own}-")


def _latest(values):
    times = [value for value in values if isinstance(value, dt.datetime)]
    return max(times, default=None)


class Validators:
    """An ETag and, where known, a last-modified time."""

    def __init__(self, etag, last_modified=None):
        self.etag = etag
        self.last_modified = last_modified

    def apply(self, response):
        response["ETag"] = self.etag
        # Only the client may keep it, and must ask again before using it.
        response["Cache-Control"] = "private, no-cache"
        if self.last_modified is not None:
            response["Last-Modified"] = http_date(self.last_modified.timestamp())
        return response

    def answer(self, request, respond):
        """304 if the request's conditions hold; else `respond()`, with these.

        `respond` is called only when the answer is not 304, so a 304 never
        builds a body.
        """
        not_modified = self.not_modified(request)
        if not_modified is not None:
            return not_modified
        return self.apply(respond())

    def not_modified(self, request):
        """A 304 response if the request's conditions hold, else None (RFC 9110)."""
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match:
            tags = parse_etags(if_none_match)
            # Weak comparison: W/"x" matches "x".
            bare = {tag.removeprefix("W/") for tag in tags}
            if "*" in tags or self.etag in bare:
                return self.apply(HttpResponseNotModified())
            return None
        # Limitation: HTTP dates count whole seconds, so a change made in the same
        # second as the read that gave Last-Modified goes unseen; If-None-Match
        # has no such gap, and wins when both are sent.
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is not None and self.last_modified is not None:
            if int(self.last_modified.timestamp()) <= since:
                return self.apply(HttpResponseNotModified())
        return None


class ConditionalReadMixin:
    """ETag and Last-Modified on list and detail reads; 304 when they match.

    `state_fields` name the values of a row that its representation depends on
    and `state_annotations()` adds aggregates over its children; the revision
    and update time are always included.
    """

    state_fields = ()

    def state_annotations(self):
        return {}

    def _conditional(self, request):
        # The browsable API's HTML is for people; only JSON gets validators.
        return getattr(request.accepted_renderer, "format", None) == "json"

    def list_validators(self, request):
        number, changed_at = content_version.current()
        return Validators(
            make_etag("list", request.build_absolute_uri(), number, changed_at),
            changed_at,
        )

    def record_state(self, **lookup):
        """The values the record's ETag is made of, or None if there is no record."""
        queryset = self.get_queryset().prefetch_related(None)
        annotations = self.state_annotations()
        if annotations:
            queryset = queryset.annotate(**annotations)
        return (
            queryset.filter(**lookup)
            .values("pk", "revision", "updated_at", *self.state_fields, *annotations)
            .first()
        )

    def record_validators(self, state):
        """The record's ETag: its revision's part, then the part of what it shows.

        A record also shows values that move without its revision (an area its
        sub-risks' ratings, a methodology its levels' labels). A read gets 304
        only if neither part moved; a write is checked against the first part
        alone (`checked_revision`), so it never waits for a change to another
        record.
        """
        number, changed_at = content_version.current()
        shown = make_etag("shown", number, changed_at, state)
        etag = f'{_own_part(state)}-{shown[1:17]}"'
        return Validators(etag, _latest([*state.values(), changed_at]))

    def _lookup(self):
        url_kwarg = self.lookup_url_kwarg or self.lookup_field
        value = self.kwargs[url_kwarg]
        if "\x00" in value:
            # No reference holds one, and PostgreSQL refuses it in a query.
            raise NotFound()
        return {self.lookup_field: value}

    def get_object(self):
        self._lookup()
        return super().get_object()

    def list(self, request, *args, **kwargs):
        if not self._conditional(request):
            return super().list(request, *args, **kwargs)
        validators = self.list_validators(request)
        return validators.answer(
            request, lambda: self._list_body(request, validators, *args, **kwargs)
        )

    def _list_body(self, request, validators, *args, **kwargs):
        """The list's response, rendered once per ETag and media type.

        The ETag names the content version and the whole URL, and a list's body
        depends on nothing else: roles decide who may read it, not what it holds.
        """
        renderer = request.accepted_renderer
        key = f"list:{validators.etag}:{request.accepted_media_type}"
        body = caches["api-bodies"].get(key)
        if body is None:
            response = super().list(request, *args, **kwargs)
            body = renderer.render(
                response.data,
                request.accepted_media_type,
                self.get_renderer_context(),
            )
            if len(body) <= LARGEST_CACHED_BODY:
                caches["api-bodies"].set(key, body)
        return HttpResponse(body, content_type=renderer.media_type)

    def retrieve(self, request, *args, **kwargs):
        state = self.record_state(**self._lookup())
        if state is None or not self._conditional(request):
            return super().retrieve(request, *args, **kwargs)
        build = super().retrieve
        return self.record_validators(state).answer(
            request, lambda: build(request, *args, **kwargs)
        )


class IfMatchMixin:
    """Writes to a record need its current ETag in If-Match, or its revision.

    Missing both gives 428; a different ETag or revision gives 412 and changes
    nothing. The checked revision goes to the service, which checks it again
    under a row lock, so a write that slips in between is refused too.
    """

    def checked_revision(self, instance, revision=None):
        if_match = self.request.headers.get("If-Match", "").strip()
        if not if_match and revision is None:
            if self.request.method == "DELETE":
                # A DELETE has no body to carry a revision.
                raise PreconditionRequired(
                    "Send If-Match with the record's ETag to archive it."
                )
            raise PreconditionRequired()
        if if_match:
            tags = parse_etags(if_match)
            if "*" in tags:
                raise PreconditionRequired(
                    "If-Match: * is not enough here; send the record's ETag."
                )
            state = self.record_state(pk=instance.pk)
            own = _own_part(state)
            if not any(_same_record(tag, own) for tag in tags):
                current = self.record_validators(state).etag
                raise PreconditionFailed(
                    f"{instance.reference} has changed since you read it; its ETag "
                    f"is now {current} (revision {state['revision']})."
                )
        if revision is not None and revision != instance.revision:
            raise StaleRevisionError(instance)
        return instance.revision
