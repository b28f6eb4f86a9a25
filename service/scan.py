"""The default scan hook for a client's upload (seed 003 §4.3: an upload is checked before designers see it): the
file's first bytes must be what its declared content type says (magic bytes, by the `filetype` library), and
nothing that runs (an executable, a script) passes under a harmless name. A real antivirus can replace `clean`."""

import filetype

_TEXT = ("text/", "application/json", "application/csv")
_EXECUTABLE = {"application/x-msdownload", "application/x-executable", "application/x-elf", "application/x-mach-binary"}
_SAME = {"image/jpg": "image/jpeg", "application/x-zip-compressed": "application/zip"}


def clean(head: bytes, declared: str) -> bool:
    """Whether the bytes are what the declared type says."""
    declared = _SAME.get(declared.lower().split(";")[0].strip(), declared.lower().split(";")[0].strip())
    kind = filetype.guess(head)
    if kind is not None and kind.mime in _EXECUTABLE:
        return False
    if declared.startswith(_TEXT):
        return kind is None and b"\x00" not in head and _utf8(head)
    if declared == "application/octet-stream":
        return True  # nothing was claimed, so nothing is contradicted (and it is not executable)
    return kind is not None and _SAME.get(kind.mime, kind.mime) == declared


def _utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(head) - 3  # a character cut at the end of the sample is not an error
    return True
