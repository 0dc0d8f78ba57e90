"""Django's default password validators, as ``/api/users/`` applies them in 2.6.1:
minimum length, similarity to the username and e-mail, common passwords, all digits."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

MIN_LENGTH = 8
MAX_SIMILARITY = 0.7

COMMON = frozenset(
    """
    123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123
    baseball abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321
    mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx
    123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley
    batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel
    starwars klaster 112233 george computer michelle jessica pepper 1111 zxcvbn 555555
    11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua cheese
    amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas
    austin thunder taylor matrix mobilemail mom monitor monitoring montana moon moscow
    passw0rd password1 password123 welcome welcome1 admin admin123 administrator root
    changeme letmein1 qwerty123 11111 1q2w3e4r 1q2w3e4r5t 123abc abcdef abcd1234
    iloveyou1 secret default guest test test123 helpdesk support
    """.split()
)


def _similar(password: str, value: str) -> bool:
    value = value.lower()
    for part in {value, *re.split(r"\W+", value)}:
        if len(part) < 3:
            continue
        if SequenceMatcher(a=password.lower(), b=part).quick_ratio() >= MAX_SIMILARITY:
            return True
    return False


def problems(password: str, *, username: str = "", email: str = "") -> list[str]:
    """Django's messages, in the validators' default order."""
    found: list[str] = []
    for label, value in (("username", username), ("email address", email)):
        if value and _similar(password, value):
            found.append(f"The password is too similar to the {label}.")
            break
    if len(password) < MIN_LENGTH:
        found.append(
            f"This password is too short. It must contain at least {MIN_LENGTH} characters."
        )
    if password.lower().strip() in COMMON:
        found.append("This password is too common.")
    if password.isdigit():
        found.append("This password is entirely numeric.")
    return found
