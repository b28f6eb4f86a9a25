"""The password rule for every password a person sets (NIST SP 800-63B-4, a password as the only factor): at least
15 characters, at most what sign-in accepts, and not a common or easily guessed one. No composition rules.

Sign-in never applies it: a password set before the rule still signs in."""

import functools

MIN_LENGTH = 15
MAX_LENGTH = 1024  # the sign-in request's own limit, so every password that may be set can sign in
# zxcvbn's estimate below 10^6 guesses (its score 0 or 1): a repeated word, a keyboard run, the user's own email.
_MIN_GUESSES_LOG10 = 6
_ESTIMATED_PREFIX = 72  # zxcvbn refuses longer input; the start of a long password is what a guesser tries first


class PasswordRefused(ValueError):
    pass


@functools.cache
def _common() -> frozenset[str]:
    # zxcvbn's bundled list: the 30,000 most frequent passwords of leaked corpora (loaded on first use, not at start).
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def refusal(password: str, *context: str) -> str | None:
    """Why this password may not be set, or None. `context`: words of this account (email, tenant) not to use."""
    if len(password) < MIN_LENGTH:
        return f"A password must be at least {MIN_LENGTH} characters long (a few words make a good one)."
    if len(password) > MAX_LENGTH:
        return f"A password must be at most {MAX_LENGTH} characters long."
    if password.lower() in _common():
        return "This password is too common: it is on a list of passwords attackers try first. Choose another."
    from zxcvbn import zxcvbn

    words = [w for c in context if c for w in (c, *c.replace("@", " ").replace(".", " ").split())]
    if zxcvbn(password[:_ESTIMATED_PREFIX], user_inputs=words)["guesses_log10"] < _MIN_GUESSES_LOG10:
        return (
            "This password is too common or too easy to guess (a repeated word, a keyboard run, "
            "or this account's own name). Choose another."
        )
    return None


def check(password: str, *context: str) -> None:
    reason = refusal(password, *context)
    if reason:
        raise PasswordRefused(reason)
