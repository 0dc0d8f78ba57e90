"""Regenerate the initial migration from the models (only until the first release).

Run with the project's interpreter: ``.venv/bin/python tools/regen_initial_migration.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from polydesk.core.migrate import MIGRATIONS_DIR, alembic_config

VERSIONS = MIGRATIONS_DIR / "versions"


def main() -> None:
    for old in VERSIONS.glob("*_record_core.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'gen.sqlite3'}"
        command.revision(
            alembic_config(url), message="record core", autogenerate=True, rev_id="0001"
        )
    (new,) = VERSIONS.glob("*_record_core.py")
    text = new.read_text().replace("astext_type=Text()", "astext_type=sa.Text()")
    new.write_text(text)
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run([str(ruff), "check", "--fix", "-q", str(new)], check=False)
    subprocess.run([str(ruff), "format", "-q", str(new)], check=True)
    print(f"wrote {new}")


if __name__ == "__main__":
    main()
