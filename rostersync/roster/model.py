"""The roster file format, version 1, as pydantic models.

These models are strict: the roster is what people wish for, so a wrong type, an
unknown key or an out-of-range value is an error rather than something coerced or
silently left unmanaged. Every rule the iAdvize documentation states for an
operator's fields is checked here, before any request is made.

Models describe one file. Merging defaults and profiles into operators, and the
rules that span operators or files, live in `rostersync.roster.loader`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from rostersync.roster.iso639 import ISO_639_1
from rostersync.roster.limits import CONTROL_CHARACTERS, MAX_EMAIL_CHARS, excerpt

# Deliberately simple: one @, no spaces or control characters, a dot inside the
# domain. The API's own validation is the final word; this catches typos before any
# request. Checked with string methods and a character class only, so that its cost
# is linear in the length (a regex with two unbounded runs around the dot was not).
_EMAIL_FORBIDDEN = re.compile(rf"[@\s{CONTROL_CHARACTERS}]")
# E.164: a +, a country code that does not start with 0, up to 15 digits in all.
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _invalid(kind: str, expected: str, value: str) -> PydanticCustomError:
    return PydanticCustomError(kind, f"must be {expected}, got {{got}}", {"got": excerpt(value)})


def _check_email(value: str) -> str:
    if len(value) > MAX_EMAIL_CHARS:
        raise _invalid("email", f"an email address of at most {MAX_EMAIL_CHARS} characters", value)
    local, at, domain = value.partition("@")
    if not (local and at and "." in domain[1:-1]) or _EMAIL_FORBIDDEN.search(local) or _EMAIL_FORBIDDEN.search(domain):
        raise _invalid("email", "a valid email address", value)
    return value


def _check_language(value: str) -> str:
    if value not in ISO_639_1:
        raise _invalid("language", "an ISO 639-1 language code such as 'en' or 'fr'", value)
    return value


def _check_phone(value: str) -> str:
    if not _PHONE.fullmatch(value):  # (match would let a line break follow the digits)
        raise _invalid("phone", "a phone number with its international prefix, such as '+33123456789'", value)
    return value


def _profile_names(value: Any) -> Any:
    # `profile: sales-fr` is shorthand for `profile: [sales-fr]`.
    return [value] if isinstance(value, str) else value


Email = Annotated[str, AfterValidator(_check_email)]
LanguageCode = Annotated[str, AfterValidator(_check_language)]
PhoneNumber = Annotated[str, AfterValidator(_check_phone)]
Priority = Literal[0, 10]
Role = Literal["expert", "operator", "manager", "admin"]
NonEmptyStr = Annotated[str, Field(min_length=1)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ChannelSettings(StrictModel):
    """A call or video channel."""

    enabled: bool | None = None
    priority: Priority | None = None


class ChatSettings(ChannelSettings):
    """The chat channel, which also has a number of simultaneous chats."""

    max: Annotated[int, Field(gt=0)] | None = Field(None, description="simultaneous chats (chat_max_number)")


class CallConfig(StrictModel):
    """How calls are picked up."""

    type: Literal["ANSWER_FROM_PHONE", "ANSWER_FROM_DESK"] | None = None
    phone_number: PhoneNumber | None = None
    ask_phone_number_at_every_connection: bool | None = None


class OperatorFields(StrictModel):
    """Operator fields, each optional: what `defaults` and `profiles` hold.

    A field left out is not managed: rostersync never changes it on the account.
    """

    # Each field is an API field of rostersync.api_fields under its roster name
    # (rostersync.roster.fields); tests/api/test_api_fields.py keeps the three in step.
    # (Not in the docstring: that is the JSON schema's description.)

    external_id: NonEmptyStr | None = Field(None, description="your own id; matched before email when set")
    first_name: str | None = None
    name: str | None = None
    pseudo: str | None = None
    roles: Annotated[list[Role], Field(min_length=1)] | None = None
    chat: ChatSettings | None = None
    call: ChannelSettings | None = None
    video: ChannelSettings | None = None
    chat_and_call: bool | None = None
    chat_to_video: bool | None = None
    languages: list[LanguageCode] | None = Field(None, description="ISO 639-1 codes (language_list)")
    language_admin: Literal["de", "en", "es", "fr"] | None = None
    group: int | None = Field(None, description="group id (group_id)")
    websites: list[int] | None = Field(None, description="website ids (website_list)")
    skills: list[int] | None = Field(None, description="skill ids (skill_list)")
    sso_key: NonEmptyStr | None = Field(None, description="SSO token: a secret, never shown")
    call_config: CallConfig | None = None


class OperatorEntry(OperatorFields):
    """One operator of the `operators` list."""

    email: Email = Field(description="the operator's identity, compared case-insensitively")
    profile: Annotated[list[NonEmptyStr] | None, BeforeValidator(_profile_names)] = Field(
        None, description="a profile name, or a list of them applied in order"
    )


class Scope(StrictModel):
    """Which live operators this roster owns; the others are never touched."""

    website_id: int | None = None
    group_id: int | None = None

    def as_api_filters(self) -> dict[str, int]:
        pairs = (("website_id", self.website_id), ("group_id", self.group_id))
        return {key: value for key, value in pairs if value is not None}


class RosterDocument(StrictModel):
    """One roster file."""

    version: Literal[1] = Field(description="the roster format version; only 1 exists")
    scope: Scope | None = None
    ignore: list[NonEmptyStr] = Field(default_factory=list, description="email globs never created, changed or deleted")
    defaults: OperatorFields | None = None
    profiles: dict[NonEmptyStr, OperatorFields] = Field(default_factory=dict)
    operators: list[OperatorEntry]

    @model_validator(mode="before")
    @classmethod
    def _operators_may_be_empty(cls, data: Any) -> Any:
        # `operators:` with nothing under it is YAML null: read it as an empty list,
        # which the plan's safety check then guards.
        if isinstance(data, dict) and "operators" in data and data["operators"] is None:
            return {**data, "operators": []}
        return data
