"""Run several `flask --app lti_app ...` admin commands in one process.

The browser tests prepare each live server with the same commands an admin types (``db
upgrade``, ``platform add`` per client). Each would otherwise pay the tool's import again in
a process of its own; here every command still goes through the real ``flask`` command line,
with its own app, one after the other, and the first that fails stops the rest.

Usage: ``python -m tests.e2e.admin '[["db", "upgrade"], ["platform", "add", ...]]'``
"""

import json
import sys

from flask.cli import cli


def main(argv: list[str]) -> int:
    for command in json.loads(argv[1]):
        print(f"$ flask --app lti_app {' '.join(command)}", flush=True)
        try:
            cli.main(args=["--app", "lti_app", *command], prog_name="flask")
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            if code != 0:
                return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
