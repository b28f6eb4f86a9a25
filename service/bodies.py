"""Limits on request bodies checked on the raw bytes, before a parser can trip over them."""

import re
from itertools import accumulate

from service.errors import Problem

MAX_JSON_DEPTH = 32
# A JSON string, escapes included; brackets inside strings do not nest. The closing quote is optional, so every
# match succeeds where it starts: one pass, never the quadratic retries of an unterminated string.
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest; runs in C loops, as Python's recursive json.loads would not survive
    a body of 100,000 opening brackets (RecursionError)."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def refuse_deep_json(data: bytes) -> None:
    if json_depth(data) > MAX_JSON_DEPTH:
        raise Problem(400, f"The JSON body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels.")
