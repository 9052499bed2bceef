"""What may be opened as a document: regular files only, judged by ``stat`` without opening them.

A FIFO, ``/dev/stdin``, a device or a socket given as a document would block (or never end) the
moment it is opened or read; a directory is not a document; a file that disappeared since it was
listed is ``file_vanished``. :func:`file_problem` says which, from ``os.stat`` alone, so no caller
ever opens such a path.
"""

from __future__ import annotations

import os
import stat

from extractors import errors


def file_problem(path: str | os.PathLike) -> tuple[str, str] | None:
    """``(code, message)`` when ``path`` is not a readable regular file, else None. Never opens it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return errors.FILE_VANISHED, "the file disappeared before it could be read"
    except OSError as e:
        return errors.NOT_A_REGULAR_FILE, f"cannot stat the file: {e.strerror or e}"
    if stat.S_ISREG(st.st_mode):
        return None
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
            "a character device" if stat.S_ISCHR(st.st_mode) else
            "a block device" if stat.S_ISBLK(st.st_mode) else
            "a socket" if stat.S_ISSOCK(st.st_mode) else
            "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file")
    return errors.NOT_A_REGULAR_FILE, f"{kind}, not a regular file: refused without opening it"


def display_path(path: str | os.PathLike) -> str:
    """A path as printable, storable text. File names that are not valid UTF-8 (archives unzipped from
    Windows carry GBK names) come out of ``os.fsdecode`` with lone surrogates, which no database or
    terminal accepts: their bytes are read as UTF-8, else GB18030, else escaped (``\\xNN``)."""
    s = os.fspath(path)
    if isinstance(s, bytes):
        raw = s
    else:
        try:
            s.encode("utf-8")
            return s
        except UnicodeEncodeError:
            raw = s.encode("utf-8", "surrogateescape") if _only_escapes(s) else None
            if raw is None:
                return s.encode("utf-8", "replace").decode("utf-8")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def _only_escapes(s: str) -> bool:
    """Every surrogate in ``s`` is a surrogateescape'd byte (U+DC80–U+DCFF)."""
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in s)
