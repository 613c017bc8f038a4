"""Errors specific to the certificate registry (all are :class:`vbsign.errors.VbsignError`)."""

from __future__ import annotations

from vbsign._core.errors import ConfigurationError, InputError


class RegistryError(InputError):
    """A registry operation was refused (the data is left unchanged)."""

    code = "REGISTRY_ERROR"


class NotFound(RegistryError):
    """A unit, subscriber, certificate, request... that the caller named does not exist."""

    code = "REGISTRY_NOT_FOUND"


class Duplicate(RegistryError):
    """The record already exists (same code, UID, fingerprint...)."""

    code = "REGISTRY_DUPLICATE"


class WorkflowError(RegistryError):
    """A certification request cannot move to the requested status."""

    code = "REGISTRY_ILLEGAL_TRANSITION"


class SchemaError(ConfigurationError):
    """The database is missing, unreachable, or its schema is not at the expected revision."""

    code = "REGISTRY_SCHEMA"
