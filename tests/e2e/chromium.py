"""Debian's chromium, launched headless the same way by the browser tests and by bench/startup.py."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags chromium waits on background services that a closed network never answers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
