#!/usr/bin/env python
"""Django's command-line utility.

DJANGO_SETTINGS_MODULE defaults to production settings: a deployment that forgets the variable
fails closed (production needs SECRET_KEY from the environment and never runs with DEBUG).
Development sets ``DJANGO_SETTINGS_MODULE=config.settings.local`` (``make run`` does).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
