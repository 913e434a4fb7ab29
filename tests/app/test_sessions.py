"""Signed session cookies."""

from survey_app.accounts import sessions


def test_issued_cookie_reads_back() -> None:
    cookie = sessions.issue("k", 42, now=1000.0)
    assert sessions.read("k", cookie, now=1001.0) == 42


def test_tampered_expired_or_foreign_cookies_are_refused() -> None:
    cookie = sessions.issue("k", 42, now=1000.0)
    payload, signature = cookie.split(".")
    forged = sessions.issue("k", 7, now=1000.0).split(".")[0] + "." + signature
    assert sessions.read("k", forged, now=1001.0) is None
    assert sessions.read("other-key", cookie, now=1001.0) is None
    assert sessions.read("k", cookie, now=1000.0 + sessions.SESSION_SECONDS + 1) is None
    assert sessions.read("k", "garbage", now=1001.0) is None
    assert sessions.read("k", None) is None
    assert sessions.read("k", payload + ".", now=1001.0) is None
