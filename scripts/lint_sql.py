"""`sqlfluff lint` of the SQL under the given folders, in parallel, skipping files unchanged since they last passed.

sqlfluff's rules look at one file at a time, so a file whose content, and every setting that could change its verdict,
are the same as when it last passed, passes again. Kept in .cache/sqlfluff.json (git-ignored): the key (sqlfluff's
version and its plugins', this script, and the configuration sqlfluff resolves for each linted folder, from every file
it reads: the checkout's, the parents', the user's) and, under it, the SHA-256 of each file that passed. A different
key starts afresh; a failing or new file is linted every run until it passes. A fresh clone has no cache: it lints
everything.

Usage: python scripts/lint_sql.py db/    (make test runs it; --no-cache lints everything)
"""

import hashlib
import json
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import sqlfluff
from sqlfluff.core import FluffConfig

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "sqlfluff.json"
FAILED = re.compile(r"^== \[(.+?)\] FAIL", re.M)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settings(config: dict) -> dict:
    """A resolved configuration without the objects sqlfluff builds from it (dialect_obj, templater_obj)."""
    return {k: _settings(v) if isinstance(v, dict) else v for k, v in config.items() if not k.endswith("_obj")}


def _key(files: list[Path]) -> str:
    """What a file's verdict depends on besides the file: sqlfluff and its plugins, this script, and the configuration
    resolved for the file's folder (each file is linted with its own folder's)."""
    plugins = sorted({f"{e.dist.name}=={e.dist.version}" for e in entry_points(group="sqlfluff") if e.dist})
    h = hashlib.sha256(json.dumps([sqlfluff.__version__, plugins, _digest(Path(__file__))]).encode())
    for folder in sorted({p.parent for p in files}):
        config = _settings(FluffConfig.from_path(str(folder))._configs)
        h.update(str(folder.relative_to(ROOT)).encode() + b"\0")
        h.update(json.dumps(config, sort_keys=True, default=repr).encode() + b"\0")
    return h.hexdigest()


def main(argv: list[str]) -> int:
    use_cache = "--no-cache" not in argv
    os.chdir(ROOT)  # sqlfluff resolves configuration up to the working folder: the same one here as for the lint
    folders = [(ROOT / a).resolve() for a in argv if not a.startswith("--")] or [ROOT / "db"]
    files = sorted({p for folder in folders for p in folder.rglob("*.sql")})
    names = {str(p.relative_to(ROOT)): p for p in files}
    key = _key(files)
    clean: dict[str, str] = {}
    if use_cache and CACHE.is_file():
        try:
            saved = json.loads(CACHE.read_text())
            clean = saved["clean"] if saved.get("key") == key else {}
        except (ValueError, KeyError, TypeError):
            clean = {}
    digests = {name: _digest(p) for name, p in names.items()}
    todo = [name for name in names if clean.get(name) != digests[name]]
    if not todo:
        print(f"sqlfluff: {len(names)} files, each unchanged since it last passed")
        return 0
    print(f"sqlfluff: linting {len(todo)} of {len(names)} files (the others are unchanged since they last passed)")
    processes = str(max(1, os.cpu_count() or 1))
    done = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "--processes", processes, *todo],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode == 0:
        passed = set(todo)
    elif done.returncode == 1:  # lint failures: the files it names failed, the others passed
        failed = {str((ROOT / f).resolve().relative_to(ROOT)) for f in FAILED.findall(done.stdout)}
        passed = set(todo) - failed if failed else set()
    else:  # sqlfluff itself broke: trust nothing it did
        passed = set()
    kept = {name: digest for name, digest in clean.items() if name in names and digests[name] == digest}
    kept |= {name: digests[name] for name in passed}
    CACHE.parent.mkdir(exist_ok=True)
    tmp = CACHE.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "clean": dict(sorted(kept.items()))}, indent=1))
    tmp.replace(CACHE)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
