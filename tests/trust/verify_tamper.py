#!/usr/bin/env python3
"""`hukou verify` as a command (issue #4, C7/D1; standard library only).

Builds a small demo city with cases in a SQLite file (`hukou demo --persons 300 --seed 3 --city
ezhou --cases 20`), runs `hukou verify` (exit 0, "全部完好"), then alters the SQLite file
directly:
  - one audit_log row (its action),
  - the bytes of one captured material's stored file (files.data only),
  - one case step's signature (replaced by another step's),
  - one captured material that a later decision signed: its file's bytes, hash and size
    replaced together, so that the files table itself stays consistent,
runs `hukou verify` again and expects exit 1 with exactly these broken points named
(table, row, code): audit_log content_altered; files file_altered and archive_materials
material_file_altered for the altered bytes; case_steps bad_signature; archive_materials
material_replaced for the swapped material.

Usage: verify_tamper.py --hukou build/hukou [--city-db PATH] [--threads N]. With --city-db the
checks run on that existing SQLite demo city instead of a fresh small one, and alter it in place
(bench/verify_city.sh: the 100,000-case city of docs/performance.md); each verify's wall time is
printed. Exit 0 passed, 1 failed, 77 skipped (no binary).
"""

import argparse
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from blackbox import SKIP, Checks, build_demo, find_hukou, run_hukou  # noqa: E402

BROKEN = re.compile(r"^损坏 BROKEN\s+table=(\S+) row=(\d+) \[(\w+)\] (.*)$")


def verify(hukou, url, threads=None):
    """(exit code, {(table, row, code)}, stdout) of `hukou verify`; prints its wall time."""
    extra = ["--threads", str(threads)] if threads else []
    started = time.monotonic()
    r = run_hukou(hukou, "verify", "--db", url, *extra, timeout=3600)
    print(f"hukou verify: exit {r.returncode} after {time.monotonic() - started:.1f} s")
    broken = set()
    for line in r.stdout.splitlines():
        m = BROKEN.match(line)
        if m:
            broken.add((m.group(1), int(m.group(2)), m.group(3)))
    return r.returncode, broken, r.stdout + r.stderr


def sm3_hex(data):
    """Hex SM3, as the files table stores it (Python's hashlib when its OpenSSL has SM3)."""
    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError:
        r = subprocess.run(["openssl", "dgst", "-sm3", "-r"], input=data, capture_output=True,
                           check=True)
        return r.stdout.split()[0].decode()


def one(db, sql, params=()):
    row = db.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"no row: {sql}")
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hukou", default="build/hukou")
    ap.add_argument("--city-db", help="an existing SQLite demo city to check and alter in place")
    ap.add_argument("--threads", type=int, help="hukou verify --threads")
    args = ap.parse_args()
    hukou = find_hukou(args.hukou, "skipped: no binary at {path}")
    if hukou is None:
        return SKIP
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="hukou-verify-") as workdir:
        if args.city_db:
            path = os.path.abspath(args.city_db)
        else:
            path = os.path.join(workdir, "x.db")
        url = "sqlite:" + path
        if not args.city_db:
            build_demo(hukou, url, city="ezhou", seed=3, persons=300, cases=20, timeout=900)
        code, broken, out = verify(hukou, url, args.threads)
        checks.expect("verify of the fresh demo city exits 0", code == 0, out)
        checks.expect("and names nothing broken", not broken and "全部完好" in out, out)

        with sqlite3.connect(path) as db:
            signed = one(db, "SELECT COUNT(*) FROM case_steps WHERE payload LIKE "
                             "'%' || char(10) || 'material=%'")[0]
            checks.expect("decisions of the demo cases sign material hashes", signed > 0, signed)
            audit_id = one(db, "SELECT id FROM audit_log ORDER BY seq LIMIT 1 OFFSET "
                               "(SELECT COUNT(*) / 2 FROM audit_log)")[0]
            db.execute("UPDATE audit_log SET action = action || '.forged' WHERE id = ?",
                       (audit_id,))
            # A material named by a signed step: its file swapped consistently (bytes, hash,
            # size), which only the step's signed hash can reveal.
            swapped_row, swapped_file = one(
                db, "SELECT m.id, m.file_id FROM archive_materials m JOIN cases c "
                    "ON c.case_no = m.case_no JOIN case_steps st ON st.case_id = c.id "
                    "WHERE st.payload LIKE '%material=' || m.material_code || ' ' || m.version "
                    "|| ' %' ORDER BY m.id LIMIT 1")
            # Another captured material: its bytes altered alone.
            altered_row, altered_file = one(
                db, "SELECT id, file_id FROM archive_materials WHERE id <> ? ORDER BY id DESC "
                    "LIMIT 1", (swapped_row,))
            data = bytes(one(db, "SELECT data FROM files WHERE id = ?", (altered_file,))[0])
            db.execute("UPDATE files SET data = ? WHERE id = ?",
                       (data[:-1] + bytes([data[-1] ^ 0x01]), altered_file))
            forged = b"\x89PNG forged scan"
            forged_sm3 = sm3_hex(forged)
            db.execute("UPDATE files SET data = ?, sm3 = ?, size = ? WHERE id = ?",
                       (forged, forged_sm3, len(forged), swapped_file))
            step_id, = one(db, "SELECT MAX(id) FROM case_steps WHERE signature IS NOT NULL")
            db.execute("UPDATE case_steps SET signature = (SELECT signature FROM case_steps "
                       "WHERE signature IS NOT NULL AND id <> ? ORDER BY id LIMIT 1) WHERE id = ?",
                       (step_id, step_id))
            db.commit()

        code, broken, out = verify(hukou, url, args.threads)
        checks.expect("verify of the altered database exits 1", code == 1, out)
        expected = {
            ("audit_log", audit_id, "content_altered"),
            ("files", altered_file, "file_altered"),
            ("archive_materials", altered_row, "material_file_altered"),
            ("case_steps", step_id, "bad_signature"),
            ("archive_materials", swapped_row, "material_replaced"),
        }
        for point in sorted(expected):
            checks.expect(f"verify names {point[0]} row {point[1]} [{point[2]}]", point in broken,
                          sorted(broken))
        checks.expect("and nothing else", broken == expected, sorted(broken - expected))
    print(f"{checks.count - checks.failures}/{checks.count} checks passed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
