"""Where ``commvault-oracle`` finds its CommServe: the ``COMMVAULT_*`` variables, as the
provider does; a password is asked for on the terminal when none is set, never an argument."""

from __future__ import annotations

import getpass
import os
import sys

from ..commvault.connection import ConnectionSettings
from ..runtime.settings import AUTH_TOKEN, ENVIRONMENT, PASSWORD, USERNAME, resolve
from .exit_codes import CliFailure, Exit

ENVIRONMENT_HELP = f"""\
environment (the provider's variables; secrets are never taken from arguments):
  COMMVAULT_URL          the CommServe's API base, e.g. https://cs.example.com/commandcenter/api
  {AUTH_TOKEN.env_var}    a login token or API key, or:
  {USERNAME.env_var} and {PASSWORD.env_var} (the password is asked for on a terminal
                         when it is not set)
  COMMVAULT_CA_BUNDLE    a PEM file of CAs to trust;  COMMVAULT_INSECURE=true skips TLS checks"""


def settings_from_environment(*, interactive: bool | None = None) -> ConnectionSettings:
    """The settings; raises ``runtime.settings.SettingsError`` naming what to set."""
    interactive = sys.stdin.isatty() if interactive is None else interactive
    prompted: dict[str, str] = {}
    needs_password = (
        os.environ.get(USERNAME.env_var)
        and not os.environ.get(PASSWORD.env_var)
        and not os.environ.get(AUTH_TOKEN.env_var)
    )
    if needs_password and interactive:
        prompted[PASSWORD.config_key] = _ask_password(os.environ[USERNAME.env_var])
    return resolve(lambda key: prompted.get(key), vocabulary=ENVIRONMENT)


def _ask_password(username: str) -> str:
    """The password typed at the prompt; Ctrl-C or Ctrl-D there end the command in one line."""
    try:
        return getpass.getpass(f"Commvault password for {username}: ")
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the prompt's line stays open after ^C
        raise CliFailure(
            Exit.INTERRUPTED, "interrupted at the password prompt (Ctrl-C); nothing was sent"
        ) from None
    except EOFError:
        print(file=sys.stderr)
        raise CliFailure(
            Exit.BAD_INPUT,
            f"no password typed (the prompt was closed with Ctrl-D); nothing was sent: type it "
            f"at the prompt, or set {PASSWORD.env_var} or {AUTH_TOKEN.env_var}",
        ) from None
