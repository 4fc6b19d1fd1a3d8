"""Which tool and platform addresses browsers treat as one site, and when http cannot launch."""

from cohorts.platforms.binding import http_cross_site, same_site


def test_subdomains_of_one_institution_are_one_site_and_other_hosts_are_not():
    assert same_site("https://communitas.example.edu/x", "https://moodle.example.edu/y")
    assert not same_site("http://localhost:5000", "http://127.0.0.1:5000")
    assert not same_site("https://tool.example.org", "https://lms.example.edu")
    assert not same_site("http://lms.example.edu", "https://lms.example.edu")  # schemeful


def test_http_fails_only_when_the_platform_is_on_another_site():
    assert http_cross_site("http://localhost:5000", "http://127.0.0.1:5000/sandbox/auth")
    assert not http_cross_site("http://127.0.0.1:5000", "http://127.0.0.1:5000/sandbox/auth")
    assert not http_cross_site("https://tool.example.org", "https://lms.example.edu/auth")
