"""The full-text search index: Pagefind, run over the finished pages in the staging folder.

Pagefind reads the built HTML (only the parts marked `data-pagefind-body`, with
their `data-pagefind-filter` and `data-pagefind-meta` values), writes a static
index per `<html lang>` under pagefind/, and ships the small script that queries
it in the reader's browser: no server and no third-party request. Indexing runs
before the staging folder replaces the site, so a failed index fails the build
and leaves the previous site whole. The index is deterministic for given pages.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import cbor2

from .errors import Problem

OUTPUT = "pagefind"  # folder of the index inside the site, shared by every language
TIMEOUT = 600
SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the CBOR of each index file


def available() -> bool:
    """True when the Pagefind binary is installed (the `pagefind[bin]` package)."""
    return (
        importlib.util.find_spec("pagefind_bin") is not None
        or importlib.util.find_spec("pagefind_bin_extended") is not None
    )


def index_site(folder: Path) -> Problem | None:
    """Index the pages in `folder` into folder/pagefind; a Problem says why it could not."""
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-subdir", OUTPUT, "--quiet"]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return Problem(
            "pagefind", 1, f"the search index took longer than {TIMEOUT} s; build with --no-search to skip it"
        )
    except OSError as exc:
        return Problem("pagefind", 1, f"cannot run Pagefind ({exc}); reinstall with: python3 tasks.py build")
    if run.returncode != 0:
        detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no message"]
        return Problem(
            "pagefind", 1, f"the search index failed: {detail[0]}; build with --no-search to publish without search"
        )
    try:
        canonicalize(folder / OUTPUT)
    except (OSError, ValueError, KeyError, IndexError, cbor2.CBORError) as exc:
        return Problem("pagefind", 1, f"the search index has an unexpected layout ({exc}); pin pagefind to 1.5")
    return None


def canonicalize(root: Path) -> None:
    """Make the index byte-identical across builds.

    Pagefind writes its filter indexes (and their list in each language's meta
    file) in hash-map order, so the same pages give different files each run.
    Sort them, re-encode, and rename every file it touched by its content hash;
    the word index and the page fragments are already stable.
    """
    renamed: dict[str, str] = {}
    for path in sorted((root / "filter").glob("*.pf_filter")):
        language = path.stem.split("_", 1)[0]
        name, values = _read(path)
        data = _encode([name, sorted([value, sorted(pages)] for value, pages in values)])
        renamed[path.stem] = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
        path.unlink()
        (root / "filter" / f"{renamed[path.stem]}.pf_filter").write_bytes(data)
    entry_path = root / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = root / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        meta[3] = sorted([name, renamed.get(ref, ref)] for name, ref in meta[3])
        data = _encode(meta)
        info["hash"] = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
        meta_path.unlink()
        (root / f"pagefind.{info['hash']}.pf_meta").write_bytes(data)
    entry_path.write_text(json.dumps(entry, sort_keys=True, ensure_ascii=False), encoding="utf-8")


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path.name} does not start with Pagefind's signature")
    return cbor2.loads(raw[len(SIGNATURE) :])


def _encode(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + cbor2.dumps(value), mtime=0)
