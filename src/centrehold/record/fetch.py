"""Download UCDP GED from its public address, once, with a checksum and a cache.

GED is large (about 150 MB zipped for 25.1), so it is fetched once into a cache folder
and verified by SHA-256 each time it is used; a `.sha256` file beside it records the
hash of what was downloaded, and `expected_sha256` lets a user pin a known file.
Downloads go to a temporary name and are renamed only when complete, so an
interrupted download never passes for a finished one.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from centrehold.errors import UserError

GED_URL_TEMPLATE = "https://ucdp.uu.se/downloads/ged/ged{code}-csv.zip"
DEFAULT_GED_VERSION = "25.1"
_CHUNK = 1 << 20

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FetchResult:
    path: Path
    sha256: str
    from_cache: bool
    url: str


def ged_url(version: str = DEFAULT_GED_VERSION) -> str:
    """The public download address of a GED version such as "25.1"."""
    if not re.fullmatch(r"\d{2}\.\d", version):
        raise UserError(f"GED version {version!r} is not like 25.1: give e.g. --version 25.1")
    return GED_URL_TEMPLATE.format(code=version.replace(".", ""))


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "centrehold" / "ged"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_ged(
    version: str = DEFAULT_GED_VERSION,
    url: str | None = None,
    cache: str | Path | None = None,
    expected_sha256: str | None = None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> FetchResult:
    """The GED file in the cache, downloading it first if it is absent or fails its hash.

    `progress(done_bytes, total_bytes)` is called as bytes arrive (total 0 when the
    server does not say).
    """
    url = url or ged_url(version)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.path:
        raise UserError(f"not a download address: {url!r}; give an http(s) URL to a file")
    folder = Path(cache) if cache is not None else default_cache()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create cache folder {folder}: {exc.strerror}; pass --cache"
        ) from exc
    target = folder / (Path(parsed.path).name or "ged.csv")
    sidecar = target.with_name(target.name + ".sha256")
    expected = expected_sha256.lower() if expected_sha256 else None

    if target.exists() and sidecar.exists():
        recorded = sidecar.read_text().split()[0]
        actual = sha256_of(target)
        if actual == recorded and (expected is None or actual == expected):
            return FetchResult(target, actual, True, url)

    tmp = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while block := response.read(_CHUNK):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
            if progress is not None and done == 0:
                progress(0, total)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        raise UserError(
            f"could not download {url}: {reason}; check the connection or pass --url"
        ) from exc
    actual = digest.hexdigest()
    if expected is not None and actual != expected:
        tmp.unlink(missing_ok=True)
        raise UserError(
            f"download from {url} has SHA-256 {actual}, not the expected {expected}; "
            "check the URL or the checksum"
        )
    tmp.replace(target)
    sidecar.write_text(f"{actual}  {target.name}\n")
    return FetchResult(target, actual, False, url)
