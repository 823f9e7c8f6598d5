#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemi_fulfilment.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from hemi_fulfilment.env import exit_on_configuration_error

    # Load settings first, so a bad environment variable is one clear line, not a traceback.
    exit_on_configuration_error(lambda: settings.INSTALLED_APPS)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
