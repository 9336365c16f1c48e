"""python -m bot: see bot/runtime/cli.py."""
import sys

from bot.runtime.cli import main

sys.exit(main())
