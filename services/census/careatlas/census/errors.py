"""Census errors. Messages carry the request path only: the full URL contains the API key."""

from __future__ import annotations


class CensusError(Exception):
    """A Census request or response that retrying will not fix: the message says what to fix."""


class CensusUnavailable(CensusError):
    """The API is down, throttling or answered with its transient error: safe to retry."""


class CensusKeyError(CensusError):
    """The API refused the key (missing or invalid)."""


class CensusRequestError(CensusError):
    """The API refused the request itself (unknown variable, too many variables, bad geography)."""


class CensusNoData(CensusError):
    """204: the vintage has no data for this geography."""


class CensusDataError(CensusError):
    """A response or snapshot we cannot turn into the cache table (bad header, FIPS or number)."""
