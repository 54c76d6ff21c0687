"""README: a restore folds the replaced database's WAL in and keeps a -wal beside the kept copy
only for a database too damaged to fold it: a healthy one whose WAL is left empty (another
process still had it open, --force) leaves no empty -wal behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import run_cli_process

HOLD = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM events").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


def test_a_healthy_replaced_database_keeps_no_empty_wal(db_path: Path) -> None:
    env = {"OSS_DESK_DB": str(db_path)}
    made = run_cli_process("db", "backup", "--json", env=env)
    assert made.returncode == 0, made.stderr
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        assert db_path.with_name(db_path.name + "-wal").exists()
        done = run_cli_process(
            "db", "restore", json.loads(made.stdout)["path"], "--yes", "--force", "--json", env=env
        )
        assert done.returncode == 0, done.stderr
    finally:
        holder.communicate("", timeout=30)
    kept = Path(json.loads(done.stdout)["kept"])
    assert kept.exists()
    assert not kept.with_name(kept.name + "-wal").exists()
    assert sorted(p.name for p in db_path.parent.glob("*-wal")) == []
