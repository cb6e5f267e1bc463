"""The journeys' harness itself: what it promises to catch, it catches."""

import pytest
from playwright.sync_api import Error as PlaywrightError


def test_a_request_to_another_host_is_stopped_and_fails_the_page(people):
    visitor = people()
    visitor.open("/accounts/login/")
    # A link to somewhere else (a stray CDN address in a template would be a script or a style;
    # the page's CSP refuses those before they leave, and the harness reports that too). A
    # navigation is not the CSP's to stop: the harness must stop it before it leaves the machine.
    with pytest.raises(PlaywrightError, match="ERR_FAILED|aborted"):
        visitor.page.goto("http://cdn.example.invalid/lib.js")
    assert visitor.problems == ["request to another host: http://cdn.example.invalid/lib.js"]
    # The login page's own requests (page, scripts, styles, fonts) passed without a word, and
    # the next look() fails the test on this one (Person.look: assert not self.problems).
    visitor.problems.clear()  # the failure was the point
