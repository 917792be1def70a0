"""The roster file format, version 1, as pydantic models.

These models are strict: the roster is what people wish for, so a wrong type, an
unknown key or an out-of-range value is an error rather than something coerced or
silently left unmanaged. Every rule the iAdvize documentation states for an
operator's fields is declared here, and checked before any request is made.

The models are the one description of the format, but `rostersync validate` does not
build them: it validates with `rostersync.roster.compiled`, generated from them
(`python scripts/compile_roster.py`; see `rostersync.roster.compile`), and their
checks are the functions of `rostersync.roster.checks`. The JSON Schema
(`rostersync.roster.schema`) and a saved plan's entries are still read from them.

Models describe one file. Merging defaults and profiles into operators, and the
rules that span operators or files, live in `rostersync.roster.loader`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from rostersync.roster.checks import (
    EMAIL_SCHEMA_PATTERN,
    OLDER_SCOPE_SPELLINGS,
    PHONE,
    check_email,
    check_language,
    check_phone,
    check_reference,
    no_patterns,
    no_profiles,
    one_spelling_per_scope_key,
    operators_may_be_empty,
    profile_names,
)
from rostersync.roster.iso639 import ISO_639_1
from rostersync.roster.limits import MAX_EMAIL_CHARS

# Every validator below is a function of rostersync.roster.checks, which needs no
# pydantic: the compiled schema (rostersync.roster.compile) calls them without these
# models. A validator written here, as a method, could not be compiled.


# Each checked string says in the JSON schema what its check accepts, so that an
# editor flags what validate would (rostersync.roster.schema). The schema's pattern
# says what the check accepts: a `format: email` would be an editor's notion, not ours.
Email = Annotated[str, AfterValidator(check_email), WithJsonSchema(
    {"type": "string", "maxLength": MAX_EMAIL_CHARS, "pattern": EMAIL_SCHEMA_PATTERN,
     "patternErrorMessage": "must be a valid email address"})]
LanguageCode = Annotated[str, AfterValidator(check_language), WithJsonSchema(
    {"type": "string", "enum": sorted(ISO_639_1)})]
PhoneNumber = Annotated[str, AfterValidator(check_phone), WithJsonSchema(
    {"type": "string", "pattern": PHONE.pattern,
     "patternErrorMessage": "must be a phone number with its international prefix, such as +33123456789"})]
Priority = Literal[0, 10]
Role = Literal["expert", "operator", "manager", "admin"]
NonEmptyStr = Annotated[str, Field(min_length=1)]


# A skill, group or website of the account: an integer is its id, a string its name
# (a website's label or host), resolved when planning (rostersync.plan.references).
Reference = Annotated[int | str, PlainValidator(check_reference), WithJsonSchema(
    {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "\\S"}]})]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ChannelSettings(StrictModel):
    """A call or video channel."""

    enabled: bool | None = Field(None, description="Whether the operator takes conversations on this channel "
                                                   "(the API's chat_enabled, call_enabled, video_enabled).")
    priority: Priority | None = Field(None, description="The operator's priority on this channel: 10 is served "
                                                        "first, 0 after the operators with 10. Only 0 and 10 exist.")


class ChatSettings(ChannelSettings):
    """The chat channel, which also has a number of simultaneous chats."""

    max: Annotated[int, Field(gt=0)] | None = Field(None, description="How many chats the operator handles at the "
                                                                      "same time, at least 1 (chat_max_number).")


class CallConfig(StrictModel):
    """How calls are picked up."""

    type: Literal["ANSWER_FROM_PHONE", "ANSWER_FROM_DESK"] | None = Field(
        None, description="Where calls ring. ANSWER_FROM_DESK (iAdvize's default): in the iAdvize desk. "
                          "ANSWER_FROM_PHONE: on a phone; then give phone_number, or set "
                          "ask_phone_number_at_every_connection to true.")
    phone_number: PhoneNumber | None = Field(
        None, description="With ANSWER_FROM_PHONE: the phone that receives the calls, with its international "
                          "prefix, such as +33123456789.")
    ask_phone_number_at_every_connection: bool | None = Field(
        None, description="With ANSWER_FROM_PHONE: whether iAdvize asks the operator for the phone number to "
                          "call each time they connect to the desk (iAdvize's default: false).")


class OperatorFields(StrictModel):
    """Operator fields, each optional: what `defaults` and `profiles` hold.

    A field left out is not managed: rostersync never changes it on the account.
    """

    # Each field is an API field of rostersync.api_fields under its roster name
    # (rostersync.roster.fields); tests/api/test_api_fields.py keeps the three in step.
    # (Not in the docstring: that is the JSON schema's description.)

    external_id: NonEmptyStr | None = Field(
        None, description="Your own id for this person, such as their HR number. When set, rostersync finds the "
                          "operator by it before the email, so a change of email is an update, not a new operator.")
    first_name: str | None = Field(None, description="First name.")
    name: str | None = Field(None, description="Last name (the API calls it name).")
    pseudo: str | None = Field(None, description="The name customers see in conversations (pseudonym).")
    roles: Annotated[list[Role], Field(min_length=1)] | None = Field(
        None, description="The person's roles in iAdvize, at least one: operator, expert, manager or admin.")
    chat: ChatSettings | None = Field(
        None, description="Chat: whether the operator takes chats, how many at once, and their priority.")
    call: ChannelSettings | None = Field(
        None, description="Calls: whether the operator takes calls, and their priority.")
    video: ChannelSettings | None = Field(
        None, description="Video: whether the operator takes video calls, and their priority.")
    chat_and_call: bool | None = Field(
        None, description="Whether the operator may be in a chat and a call at the same time.")
    chat_to_video: bool | None = Field(
        None, description="Whether the operator may turn a chat into a video call.")
    languages: list[LanguageCode] | None = Field(
        None, description="The languages the operator answers in, as two-letter ISO 639-1 codes such as fr, en, "
                          "es (language_list). Order and repeats do not matter.")
    language_admin: Literal["de", "en", "es", "fr"] | None = Field(
        None, description="The language of the operator's iAdvize screens: de, en, es or fr.")
    group: Reference | None = Field(
        None, description="The operator's group (group_id): its id, or its name (Parent/Child where the name "
                          "repeats under different parents).")
    websites: list[Reference] | None = Field(
        None, description="The websites the operator answers on (website_list): ids, labels or hosts (such as "
                          "www.example.com). Order and repeats do not matter.")
    skills: list[Reference] | None = Field(
        None, description="The operator's skills, which route conversations to them (skill_list): ids or names "
                          "(Parent/Child where a name repeats under different parents). Order and repeats do not "
                          "matter.")
    sso_key: NonEmptyStr | None = Field(
        None, description="The operator's single sign-on key. A secret: plans and logs show it as (sensitive), "
                          "and export leaves it out.")
    call_config: CallConfig | None = Field(
        None, description="How the operator picks up calls: in the iAdvize desk, or on a phone.")


class OperatorEntry(OperatorFields):
    """One operator of the `operators` list."""

    email: Email = Field(description="The operator's email: who they are for iAdvize and for rostersync, "
                                     "compared without regard to case.")
    profile: Annotated[list[NonEmptyStr] | None, BeforeValidator(profile_names), WithJsonSchema(
        {"anyOf": [{"type": "string", "minLength": 1},
                   {"type": "array", "items": {"type": "string", "minLength": 1}}]})] = Field(
        None, description="A profile name from profiles, or a list of them applied in order; the operator's own "
                          "fields then override theirs."
    )


class ScopeFields(StrictModel):
    """Which live operators this roster owns; the others are never touched."""

    # `group` and `website` take an id or a name, like an operator's `group` and
    # `websites`. `group_id` and `website_id`, their older spellings, mean the same;
    # one scope may not give both spellings of a key (checks.one_spelling_per_scope_key).
    # What validates a file (rostersync.roster.document_validator) makes a
    # rostersync.roster.scope.Scope of what this validates.
    # (Not in the docstring: that is the JSON schema's description.)

    model_config = ConfigDict(json_schema_extra=lambda schema: ScopeFields._older_spellings_schema(schema))

    website: Reference | None = Field(
        None, validation_alias=AliasChoices("website", "website_id"),
        description="Only the operators who answer on this website: its id, label or host (such as "
                    "www.example.com).")
    group: Reference | None = Field(
        None, validation_alias=AliasChoices("group", "group_id"),
        description="Only the operators of this group: its id, or its name (Parent/Child where the name repeats "
                    "under different parents).")

    # (A static method, so that the schema names the function of checks itself; pydantic's
    # types expect a class method.)
    _one_spelling_per_key = model_validator(mode="wrap")(
        staticmethod(one_spelling_per_scope_key))  # type: ignore[arg-type]

    @staticmethod
    def _older_spellings_schema(schema: dict[str, Any]) -> None:
        # The aliases show only the first spelling: add the older ones, and the rule that
        # one scope gives one spelling of each key, at the older key as validate says it.
        properties = schema.setdefault("properties", {})
        rules = []
        for old, key in OLDER_SCOPE_SPELLINGS.items():
            properties[old] = {**properties[key], "description": f"The older spelling of {key}, with the same "
                                                                 f"meaning; write {key}."}
            rules.append({"if": {"required": [key]}, "then": {"properties": {old: {"not": {}, "description": (
                f"{old} is the older spelling of {key}, which this scope also gives: keep one of them")}}}})
        schema["allOf"] = rules


class RosterDocument(StrictModel):
    """One roster file."""

    version: Literal[1] = Field(description="The roster format version: 1, the only one.")
    scope: ScopeFields | None = Field(
        None, description="Which operators of the account this roster owns: those of a website, a group, or both. "
                          "The others are never created, changed or deleted.")
    ignore: list[NonEmptyStr] = Field(
        default_factory=no_patterns, description="Emails of operators rostersync never creates, changes or "
                                                  "deletes, as patterns where * matches anything (*@iadvize.com), "
                                                  "compared without regard to case.")
    defaults: OperatorFields | None = Field(
        None, description="Fields every operator of this file gets, before their profiles and their own fields.")
    profiles: dict[NonEmptyStr, OperatorFields] = Field(
        default_factory=no_profiles, description="Named sets of fields that operators take with profile: NAME. "
                                                  "Every file of a roster shares them.")
    # `operators:` with nothing under it is read as an empty list (below), so null is valid.
    operators: list[OperatorEntry] = Field(
        description="The people of this file, one entry each, identified by their email.",
        json_schema_extra={"type": ["array", "null"]})

    # `operators:` with nothing under it is read as an empty list.
    _operators_may_be_empty = model_validator(mode="before")(staticmethod(operators_may_be_empty))
