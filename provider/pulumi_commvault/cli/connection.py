"""Where ``commvault-oracle`` finds its CommServe: the ``COMMVAULT_*`` variables, as the
provider does; a password is asked for on the terminal when none is set, never an argument."""

from __future__ import annotations

import getpass
import os
import sys

from ..commvault.connection import ConnectionSettings
from ..runtime.settings import AUTH_TOKEN, PASSWORD, USERNAME, resolve

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
        prompted[PASSWORD.config_key] = getpass.getpass(
            f"Commvault password for {os.environ[USERNAME.env_var]}: "
        )
    return resolve(lambda key: prompted.get(key))
