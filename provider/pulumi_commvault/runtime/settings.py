"""Where the provider finds its CommServe: stack config ``commvault:*``, then the environment.

The settings are resolved once per provider process: in ``configure``, from the stack's
config (secrets decrypted) and the environment, into one validated ``ConnectionSettings``
(or the one error that says what to fix). They are kept at module level, never on the
provider object, so they cannot be pickled into the stack's state. A provider that was never
configured (called directly, as tests do) resolves them from the environment on first use.
"""

from __future__ import annotations

import difflib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..commvault.backups import JobDecisions
from ..commvault.connection import ConnectionSettings, InvalidSettingError


@dataclass(frozen=True)
class Setting:
    """One setting: its stack config key and the environment variable it falls back to."""

    config_key: str
    env_var: str

    def describe(self) -> str:
        return f"stack config {self.config_key} or environment variable {self.env_var}"

    def plain_secret_line(self) -> str:
        """The warning for a credential set in plain stack config (not ``--secret``)."""
        return (
            f"{self.config_key} is stored in plain text in the stack config, and so in the "
            "stack's state (the pulumi-python provider's inputs): encrypt it with "
            f"`pulumi config set --secret {self.config_key} ...`"
        )


@dataclass(frozen=True)
class Vocabulary:
    """How a message names a setting and says how to set it: by its stack config key for the
    provider (``STACK_CONFIG``), by its environment variable for ``commvault-oracle``
    (``ENVIRONMENT``), which has no stack."""

    stack_config: bool = True

    def key(self, setting: Setting) -> str:
        return setting.config_key if self.stack_config else setting.env_var

    def where(self, setting: Setting) -> str:
        return (
            setting.describe() if self.stack_config else f"environment variable {setting.env_var}"
        )

    def how_to_set(self, setting: Setting, value: str, *, secret: bool = False) -> str:
        if self.stack_config:
            flag = "--secret " if secret else ""
            return f"`pulumi config set {flag}{setting.config_key} {value}`"
        if secret:  # read without echo, so the secret is in no shell history
            return f"`read -rs {setting.env_var} && export {setting.env_var}`"
        return f"`export {setting.env_var}={value}`"


STACK_CONFIG = Vocabulary()
ENVIRONMENT = Vocabulary(stack_config=False)

URL = Setting("commvault:url", "COMMVAULT_URL")
AUTH_TOKEN = Setting("commvault:authToken", "COMMVAULT_AUTHTOKEN")
USERNAME = Setting("commvault:username", "COMMVAULT_USERNAME")
PASSWORD = Setting("commvault:password", "COMMVAULT_PASSWORD")
CA_BUNDLE = Setting("commvault:caBundle", "COMMVAULT_CA_BUNDLE")
INSECURE = Setting("commvault:insecure", "COMMVAULT_INSECURE")
MAX_READS_PER_HOUR = Setting("commvault:maxReadsPerHour", "COMMVAULT_MAX_READS_PER_HOUR")
#: The settings that are credentials: secret in the stack config, the state and every message.
CREDENTIALS = (PASSWORD, AUTH_TOKEN)
#: Every ``commvault:*`` setting: any other key there is a typo that nothing reads.
SETTINGS = (URL, AUTH_TOKEN, USERNAME, PASSWORD, CA_BUNDLE, INSECURE, MAX_READS_PER_HOUR)


def stray_key_line(key: str) -> str | None:
    """The warning for a ``commvault:*`` stack config key that is no setting (None for a
    setting, or a key of another namespace): it is ignored, which a user should not find
    out from a later "no credentials" line."""
    namespace, _, name = key.replace(":config:", ":", 1).partition(":")
    names = [setting.config_key.partition(":")[2] for setting in SETTINGS]
    if namespace != "commvault" or name in names:
        return None
    lowered = {known.lower(): known for known in names}
    closest = difflib.get_close_matches(name.lower(), lowered, n=1)
    hint = f"did you mean commvault:{lowered[closest[0]]}? " if closest else ""
    return (
        f"commvault:{name} is not a Commvault setting and is ignored: {hint}"
        f"the settings are {', '.join(s.config_key for s in SETTINGS)}"
    )


#: One-off decisions for jobs the duplicate guard cannot tell (``guard.rules``): for one run,
#: so environment variables only, never stack config that would outlive it.
ADOPT_JOBS_ENV = "COMMVAULT_ADOPT_JOBS"
START_NEW_FOR_ENV = "COMMVAULT_START_NEW_FOR"

#: Where this machine records what it sent (``journal``): a directory, not stack config, as
#: it belongs to the machine (a CI runner keeps it in its cache), not to the stack.
STATE_DIR_ENV = "COMMVAULT_STATE_DIR"

Lookup = Callable[[str], str | None]


class SettingsError(ValueError):
    """The CommServe's address or credentials are missing or malformed."""


class MissingURLError(SettingsError):
    """No CommServe URL at all: nothing can be planned against it, so preview fails too."""


def _getter(config: Lookup | None) -> Callable[[Setting], str | None]:
    def get(setting: Setting) -> str | None:
        value = config(setting.config_key) if config else None
        if value is None or value == "":
            value = os.environ.get(setting.env_var) or None
        return value

    return get


def resolve_max_reads_per_hour(config: Lookup | None = None) -> int | None:
    """The reads per hour the job watcher keeps to (a SaaS tenant's budget); None: no limit."""
    text = _getter(config)(MAX_READS_PER_HOUR)
    if text is None or not text.strip():
        return None
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise SettingsError(
            f"{MAX_READS_PER_HOUR.describe()}: expected a whole number of reads per hour "
            f"(at least 1), got {text!r}; leave it unset for no limit"
        )
    return value


def state_dir() -> Path:
    """``COMMVAULT_STATE_DIR``, else ``$XDG_STATE_HOME/pulumi-commvault``, else
    ``~/.local/state/pulumi-commvault``; read on each call."""
    given = os.environ.get(STATE_DIR_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_STATE_HOME", "").strip() or Path.home() / ".local" / "state"
    return Path(base) / "pulumi-commvault"


def job_decisions() -> JobDecisions:
    """The user's decisions from ``COMMVAULT_ADOPT_JOBS`` (job ids) and
    ``COMMVAULT_START_NEW_FOR`` (request markers), comma-separated; read on each call."""
    adopt = _words(ADOPT_JOBS_ENV, JOB_ID, "job ids, e.g. 3400891,3400892")
    start_new = _words(START_NEW_FOR_ENV, MARKER, "request markers, as the error names them")
    return JobDecisions(adopt=adopt, start_new=start_new)


JOB_ID = re.compile(r"[0-9]+")
MARKER = re.compile(r"[0-9A-Za-z_.-]+")


def _words(env_var: str, shape: re.Pattern[str], expected: str) -> frozenset[str]:
    text = os.environ.get(env_var) or ""
    words = [w.strip() for w in text.split(",") if w.strip()]
    bad = [w for w in words if not shape.fullmatch(w)]
    if bad:
        raise SettingsError(
            f"environment variable {env_var}: expected {expected}, got {bad[0]!r}; unset it "
            "or set it to a comma-separated list of them"
        )
    return frozenset(words)


def resolve(
    config: Lookup | None = None, *, vocabulary: Vocabulary = STACK_CONFIG
) -> ConnectionSettings:
    """Settings from ``config`` (a stack-config lookup), falling back to the environment;
    errors name the settings in ``vocabulary``'s words."""
    get, say = _getter(config), vocabulary
    url = get(URL)
    if not url:
        example = say.how_to_set(URL, "https://commserve.example.com/commandcenter/api")
        raise MissingURLError(f"no CommServe URL: set {say.where(URL)}, e.g. {example}")
    insecure_text = (get(INSECURE) or "false").strip().lower()
    if insecure_text not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{say.where(INSECURE)}: expected true or false")
    token, username, password = get(AUTH_TOKEN), get(USERNAME), get(PASSWORD)
    try:
        return ConnectionSettings(
            url,
            token=token,
            username=username,
            password=password,
            ca_bundle=get(CA_BUNDLE),
            insecure=insecure_text in ("true", "1", "yes"),
        )
    except InvalidSettingError as exc:
        raise _naming_the_keys(
            exc, has_username=bool(username), has_password=bool(password), say=say
        ) from None


def _naming_the_keys(
    exc: InvalidSettingError, *, has_username: bool, has_password: bool, say: Vocabulary
) -> SettingsError:
    if exc.setting == "credentials":
        if has_username and not has_password:
            return SettingsError(
                f"no Commvault password for {say.key(USERNAME)} ({say.where(PASSWORD)} is "
                f"missing): set it with {say.how_to_set(PASSWORD, '<password>', secret=True)}, "
                f"or give {say.key(AUTH_TOKEN)} instead"
            )
        if has_password and not has_username:
            return SettingsError(
                f"no Commvault user name for {say.key(PASSWORD)} ({say.where(USERNAME)} is "
                f"missing): set it with {say.how_to_set(USERNAME, '<user>')}, or "
                f"give {say.key(AUTH_TOKEN)} instead"
            )
        return SettingsError(
            f"no Commvault credentials: set {say.where(AUTH_TOKEN)}, or both "
            f"{say.where(USERNAME)} and {say.where(PASSWORD)}"
        )
    if exc.setting == "ca_bundle":
        return SettingsError(f"{say.where(CA_BUNDLE)}: {exc.problem}")
    return SettingsError(f"{say.where(URL)}: {exc}")


_resolved: ConnectionSettings | SettingsError | None = None
_reads_per_hour: int | SettingsError | None = None
_reads_resolved = False
_lock = threading.Lock()


def configure(config: Lookup) -> None:
    """Resolve the settings from the stack config the engine gave this provider process."""
    global _resolved, _reads_per_hour, _reads_resolved
    try:
        settings: ConnectionSettings | SettingsError = resolve(config)
    except SettingsError as exc:
        settings = exc
    try:
        reads: int | SettingsError | None = resolve_max_reads_per_hour(config)
    except SettingsError as exc:
        reads = exc
    with _lock:
        _resolved = settings
        _reads_per_hour = reads
        _reads_resolved = True


def max_reads_per_hour() -> int | None:
    """The process's read budget (``MAX_READS_PER_HOUR``); ``SettingsError`` if malformed."""
    global _reads_per_hour, _reads_resolved
    with _lock:
        if not _reads_resolved:
            try:
                _reads_per_hour = resolve_max_reads_per_hour()
            except SettingsError as exc:
                _reads_per_hour = exc
            _reads_resolved = True
        reads = _reads_per_hour
    if isinstance(reads, SettingsError):
        raise SettingsError(str(reads))
    return reads


def current() -> ConnectionSettings:
    """The process's settings; ``SettingsError`` (saying what to set) if they are unusable."""
    global _resolved
    with _lock:
        if _resolved is None:
            try:
                _resolved = resolve()
            except SettingsError as exc:
                _resolved = exc
        settings = _resolved
    if isinstance(settings, SettingsError):
        raise type(settings)(str(settings))  # a fresh one: each raise its own traceback
    return settings


def forget() -> None:
    """Forget the resolved settings (tests, and a process that is configured anew)."""
    global _resolved, _reads_per_hour, _reads_resolved
    with _lock:
        _resolved = None
        _reads_per_hour = None
        _reads_resolved = False
