"""The ``polydesk`` command (also ``python -m polydesk``).

Every command starts by importing most of the application, about 1.5 s of CPU on a small
machine. The cyclic garbage collector finds nothing to free in that time (imported modules,
classes and functions live as long as the process) but would run every few hundred objects
created: it is paused until the imports are done, which makes start-up about 15 % shorter.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from polydesk import cli
    finally:
        gc.enable()
    cli.main()


if __name__ == "__main__":
    main()
