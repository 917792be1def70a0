"""The GraphQL sandbox's account: users, base roles, projects, skills and groups.

Users are kept in the shape of the GraphQL inputs (``roleId``, ``projectIds``,
``channels.chatConfiguration...``), so a mutation's input is merged into a user as
it comes. ``UserState`` is thread-safe; with a path it is saved after every write.

Choices where the documentation is silent (shared file §8):
- Deletion is soft (§8.13): ``userDelete`` sets ``isDeleted``/``deletedAt``; ``users``
  no longer lists the user, ``user(userId:)`` still returns it, and its email may be
  used again. Updating or deleting a deleted user is a ``UserNotFoundError``.
- ``userUpdate`` is partial (§8.5): omitted fields are kept, null unsets a nullable
  field, a list or a channel sub-object sent replaces the stored one.
- Defaults on create mirror the REST sandbox: chat on 3 slots, channels off, no
  priority, answer from the desk, interface language ``en``, no languages.
- Emails are stored as sent and compared without case; id lists are stored sorted
  and de-duplicated. User ids start at 1001 and are never reused.
- Every problem of one input is reported, as ``UserError`` objects (§2.8).
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rostersync.sandbox.validation import ISO_639_1

__all__ = ["PROFESSIONAL", "MutationRefused", "UserState", "default_channels", "user_error"]

PROFESSIONAL = "Professional"
USER_TYPES = frozenset({PROFESSIONAL, "Developer", "Expert", "Bot"})
FIRST_USER_ID = 1001
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")
_UPDATABLE = ("avatar", "email", "externalId", "firstName", "groupId", "lastName", "roleId", "samlId",
              "userName")


def user_error(typename: str, message: str) -> dict[str, str]:
    return {"__typename": typename, "message": message}


class MutationRefused(Exception):
    """The input was refused; ``errors`` are the ``UserError`` objects to return."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(error["message"] for error in errors))
        self.errors = errors


def default_channels() -> dict[str, dict[str, Any]]:
    return {
        "chatConfiguration": {"isEnabled": False, "numberOfSlots": 3, "hasPriorityOnChat": False,
                              "isAllowChatToVideo": False, "isSimultaneousCallAllowed": False},
        "callConfiguration": {"isEnabled": False, "hasPriorityOnCall": False, "isAlwaysAskForNumber": False,
                              "respondFrom": "DESK", "clickToCallPhoneNumber": None},
        "videoConfiguration": {"isEnabled": False, "hasPriorityOnVideo": False},
        "thirdPartyConfiguration": {"isEnabled": False, "numberOfSlots": 1},
    }


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _ids(values: Iterable[Any] | None) -> list[int]:
    return sorted({int(value) for value in values or ()})


class UserState:
    """The account's users and reference data; every method is thread-safe."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._path = path
        self.users: dict[int, dict[str, Any]] = {}
        self.roles: dict[int, dict[str, Any]] = {}
        self.projects: dict[int, str] = {}
        self.skills: dict[int, str] = {}
        self.groups: dict[int, str] = {}
        self._next_id = FIRST_USER_ID
        if path is not None and path.exists():
            self._load(path)

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for user in self.users.values() if not user["isDeleted"])

    # --- reference data and seeding ---------------------------------------------

    def add_role(self, role_id: int, name: str, base_role: str | None) -> None:
        with self._lock:
            self.roles[role_id] = {"id": role_id, "name": name, "description": None,
                                   "baseRoleName": base_role, "permissions": []}

    def base_role_id(self, base_role: str) -> int:
        """The id of the base role (``ADMIN``, ``MANAGER``, ``OPERATOR``) itself."""
        with self._lock:
            for role in self.roles.values():
                if role["baseRoleName"] == base_role and role["name"].upper() == base_role:
                    return int(role["id"])
        raise KeyError(base_role)

    def add_user(self, typename: str, fields: Mapping[str, Any]) -> int:
        """Store a user as given (seeding and tests: no validation); return its id."""
        if typename not in USER_TYPES:
            raise ValueError(f"unknown user type {typename!r}")
        with self._lock:
            user = self._new_user(typename)
            user.update(copy.deepcopy(dict(fields)))
            for key in ("projectIds", "skillIds"):
                user[key] = _ids(user.get(key))
            self.users[user["id"]] = user
            self._save()
            return int(user["id"])

    def clear(self) -> None:
        """Forget every user (reference data stays); ids keep counting up."""
        with self._lock:
            self.users.clear()
            self._save()

    def _new_user(self, typename: str) -> dict[str, Any]:
        user_id = self._next_id
        self._next_id += 1
        return {"typename": typename, "id": user_id, "email": None, "firstName": None, "lastName": "",
                "userName": None, "avatar": None, "externalId": None, "samlId": None, "roleId": None,
                "groupId": None, "projectIds": [], "skillIds": [], "channels": default_channels(),
                "countryPreferences": {"interfaceLanguage": "en", "languages": [], "dateFormat": None,
                                       "timeFormat": None, "timezone": None},
                "createdAt": _now(), "isDeleted": False, "deletedAt": None}

    # --- reads -------------------------------------------------------------------

    def get(self, user_id: int) -> dict[str, Any] | None:
        with self._lock:
            user = self.users.get(user_id)
            return copy.deepcopy(user) if user is not None else None

    def listed(self, *, email: str | None = None, group_id: int | None = None,
               project_id: int | None = None) -> list[dict[str, Any]]:
        """Users not deleted, by id, filtered as the ``users`` query's arguments say."""
        with self._lock:
            users = [copy.deepcopy(user) for _, user in sorted(self.users.items()) if not user["isDeleted"]]
        if email is not None:
            users = [user for user in users if (user["email"] or "").casefold() == email.strip().casefold()]
        if group_id is not None:
            users = [user for user in users if user.get("groupId") == group_id]
        if project_id is not None:
            users = [user for user in users if project_id in user["projectIds"]]
        return users

    # --- writes ------------------------------------------------------------------

    def create(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``userCreate``: a new professional, or ``MutationRefused``."""
        with self._lock:
            user = self._new_user(PROFESSIONAL)
            self._merge(user, data)
            self._check(user)
            self.users[user["id"]] = user
            self._save()
            return copy.deepcopy(user)

    def update(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``userUpdate``: change the fields sent, or ``MutationRefused``."""
        with self._lock:
            current = self._live(data.get("userId"))
            user = copy.deepcopy(current)
            self._merge(user, data)
            self._check(user)
            self.users[user["id"]] = user
            self._save()
            return copy.deepcopy(user)

    def delete(self, user_id: Any) -> int:
        """``userDelete``: mark the user deleted, or ``MutationRefused``."""
        with self._lock:
            user = self._live(user_id)
            user["isDeleted"] = True
            user["deletedAt"] = _now()
            self._save()
            return int(user["id"])

    def _live(self, user_id: Any) -> dict[str, Any]:
        user = self.users.get(int(user_id)) if user_id is not None else None
        if user is None or user["isDeleted"]:
            raise MutationRefused([user_error("UserNotFoundError", f"No user with the id {user_id}")])
        return user

    @staticmethod
    def _merge(user: dict[str, Any], data: Mapping[str, Any]) -> None:
        for key in _UPDATABLE:
            if key in data:
                user[key] = data[key]
        for key in ("projectIds", "skillIds"):
            if key in data:
                user[key] = _ids(data[key])
        channels = data.get("channels") or {}
        for name, sub in channels.items():
            if sub is not None:
                user["channels"][name] = dict(sub)
        if data.get("countryPreferences") is not None:
            preferences = dict(data["countryPreferences"])
            preferences["languages"] = sorted(set(preferences.get("languages") or ()))
            user["countryPreferences"] = {"dateFormat": None, "timeFormat": None, "timezone": None, **preferences}

    # --- validation --------------------------------------------------------------

    def _check(self, user: Mapping[str, Any]) -> None:
        errors: list[dict[str, str]] = []
        email = user.get("email") or ""
        if not _EMAIL.match(email):
            errors.append(user_error("InvalidEmailError", "The provided email is not valid"))
        elif any((other["email"] or "").casefold() == email.casefold() for other in self._others(user)):
            errors.append(user_error("EmailAlreadyUsedError", "The email provided is already used"))
        if user.get("externalId") == "":
            errors.append(user_error("ExternalIdIsEmptyError", "Missing value for the external-id"))
        if user.get("firstName") == "":
            errors.append(user_error("FirstNameIsEmptyError", "Missing value for the first name"))
        if user.get("avatar") is not None and not _URL.match(str(user["avatar"])):
            errors.append(user_error("InvalidAvatarUrlError", "The provided avatar is not a valid url"))
        saml = user.get("samlId")
        if saml and any(other.get("samlId") == saml for other in self._others(user)):
            errors.append(user_error("SAMLUserIdAlreadyUsedError", "The saml-user-id provided is already used"))
        errors.extend(self._reference_errors(user))
        errors.extend(_channel_errors(user["channels"]))
        if errors:
            raise MutationRefused(errors)

    def _others(self, user: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [other for other in self.users.values() if other["id"] != user["id"] and not other["isDeleted"]]

    def _reference_errors(self, user: Mapping[str, Any]) -> list[dict[str, str]]:
        errors = []
        if user.get("roleId") not in self.roles:
            errors.append(user_error("UnknownRoleError", f"Unknown role id {user.get('roleId')}"))
        if user.get("groupId") is not None and user["groupId"] not in self.groups:
            errors.append(user_error("UnknownGroupError", f"Unknown group id {user['groupId']}"))
        for key, known, kind in (("projectIds", self.projects, "UnknownProjectError"),
                                 ("skillIds", self.skills, "UnknownSkillError")):
            unknown = [str(item) for item in user[key] if item not in known]
            if unknown:
                errors.append(user_error(kind, f"Unknown {key[:-3]} id(s): {', '.join(unknown)}"))
        preferences = user["countryPreferences"]
        languages = [preferences.get("interfaceLanguage"), *preferences.get("languages", ())]
        bad = [str(code) for code in languages if code not in ISO_639_1]
        if bad:
            errors.append(user_error("InvalidLanguageError", f"Not an ISO 639-1 language: {', '.join(bad)}"))
        return errors

    # --- persistence -------------------------------------------------------------

    def _save(self) -> None:
        if self._path is None:
            return
        document = {"next_id": self._next_id, "users": list(self.users.values())}
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self._path.parent, prefix=".graphql-state-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=1)
        os.replace(temporary, self._path)

    def _load(self, path: Path) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            users = {int(user["id"]): user for user in document["users"]}
            next_id = int(document["next_id"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot read the GraphQL sandbox state {path}: {exc}") from None
        self.users, self._next_id = users, max(next_id, FIRST_USER_ID)


def _channel_errors(channels: Mapping[str, Any]) -> list[dict[str, str]]:
    """The cross-field rules the UserError names state (§2.3)."""
    chat = channels.get("chatConfiguration") or {}
    call = channels.get("callConfiguration") or {}
    video = channels.get("videoConfiguration") or {}
    errors = []
    if chat.get("isSimultaneousCallAllowed") and not call.get("isEnabled"):
        errors.append(user_error("ChatAndCallWithDisabledCallError",
                                 'The "chat and call" option is enabled while having the call channel disabled'))
    if chat.get("isAllowChatToVideo") and not video.get("isEnabled"):
        errors.append(user_error("ChatToVideoWithDisabledVideoError",
                                 'The "chat to video" option is enabled while having the video channel disabled'))
    if call.get("isAlwaysAskForNumber") and call.get("respondFrom") == "DESK":
        errors.append(user_error("IncompatibleAskForNumberChoiceError",
                                 'The "ask for number" option is enabled while having "respond from" = DESK'))
    return errors
