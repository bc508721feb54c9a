"""Cache folder, safe downloads and the error raised when a data set cannot be had.

Nothing here touches the network at import time. A download goes to a hidden
temporary file in the destination folder; the caller checks its content and
only then renames it into place (:func:`os.replace`, atomic on one file system),
so an interrupted or corrupt download never looks like a cached file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# urllib.request and http.client (which loads ssl) are imported only when a download
# starts, to keep ``import minigrad`` fast.

__all__ = ["DatasetNotAvailableError", "cache_dir", "fetch_to_temp", "CACHE_ENV"]

#: Environment variable that moves minigrad's download cache.
CACHE_ENV = "MINIGRAD_CACHE"

#: Seconds to wait for a server to answer (connect or read) before giving up.
TIMEOUT = 30.0


def download_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a failed download may raise (network, HTTP, file system, size)."""
    import http.client

    return (
        OSError,  # includes urllib.error.URLError / HTTPError, timeouts, refused connections
        http.client.HTTPException,  # includes IncompleteRead (connection closed early)
        ValueError,  # malformed URL, or a body over the size limit
    )


class DatasetNotAvailableError(RuntimeError):
    """A data set could not be loaded: missing, offline, or failed its checks.

    The message says what went wrong for each file and how to install the data
    by hand.
    """


def cache_dir() -> Path:
    """The folder where minigrad caches downloads.

    ``$MINIGRAD_CACHE`` when that environment variable is set and not empty,
    otherwise ``~/.cache/minigrad``. The folder is not created here.
    """
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "minigrad"


def fetch_to_temp(url: str, folder: Path, max_bytes: int, timeout: float | None = None) -> Path:
    """Download ``url`` into a new hidden temporary file in ``folder``; return its path.

    Raises one of :func:`download_errors` (and removes the temporary file) when
    the server cannot be reached, answers with an HTTP error, closes the
    connection before sending the announced ``Content-Length``, or sends more
    than ``max_bytes``. The caller checks the content and renames the file into
    place, or deletes it. ``timeout`` defaults to :data:`TIMEOUT`.
    """
    import urllib.request

    if timeout is None:
        timeout = TIMEOUT
    request = urllib.request.Request(url, headers={"User-Agent": "minigrad"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        announced = response.headers.get("Content-Length")
        fd, name = tempfile.mkstemp(dir=folder, prefix=".download-", suffix=".part")
        temp = Path(name)
        try:
            received = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := response.read(1 << 16):
                    received += len(chunk)
                    if received > max_bytes:
                        raise ValueError(
                            f"the server sent more than {max_bytes} bytes, more than this "
                            "file can be; not a copy of the expected file"
                        )
                    out.write(chunk)
            if announced is not None and announced.isdigit() and int(announced) != received:
                raise OSError(f"incomplete download: received {received} of {announced} bytes")
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
    return temp


def describe_error(exc: BaseException) -> str:
    """A one-line description of a download failure, naming its kind."""
    import http.client
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP error {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot reach the server ({exc.reason})"
    if isinstance(exc, http.client.IncompleteRead):
        return (
            f"incomplete download: the connection closed after {len(exc.partial)} bytes, "
            f"{exc.expected} more were announced"
        )
    if isinstance(exc, TimeoutError):
        return "timed out waiting for the server"
    return f"{type(exc).__name__}: {exc}"
