"""Operator files in TOML (programs, catalogs): read into a strict schema, or refused with why."""

import tomllib
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from memberclub.domain.errors import Refused


class Strict(BaseModel):
    """Base for every section: unknown keys are an error, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Schema = TypeVar("Schema", bound=BaseModel)
# Where and what the first schema error is, as the text after "<source>:" in the refusal.
Describe = Callable[[str, dict[str, Any], ErrorDetails], str]


def toml_parse(schema: type[Schema], text: str, *, source: str, describe: Describe) -> Schema:
    """Parse a TOML file into `schema`, or refuse it: a syntax error, else its first bad value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise Refused(f"{source}: {error}") from None
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise Refused(f"{source}:{describe(text, data, error.errors()[0])}") from None
