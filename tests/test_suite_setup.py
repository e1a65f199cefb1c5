"""The test suite's own set-up: what keeps it fast on a 2-core machine."""

from __future__ import annotations

import pytest


def test_tests_stay_on_the_worker_of_their_group(request):
    """pytest-xdist's ``--dist loadgroup`` sends the tests of a group to one worker only when the group reaches
    the test's node id (``...@group``). When it does not, nothing fails: every worker builds every shared run
    (the demo, English, branch and period runs) and the suite takes minutes longer. That happened twice:
    with conftest's marks added after xdist read them, and with pytest 9.2's structured node ids
    (pytest-dev/pytest-xdist#1386)."""
    if not request.config.getoption("loadgroup", False):
        pytest.skip("not run by pytest-xdist with --dist loadgroup")
    mark = request.node.get_closest_marker("xdist_group")
    assert mark is not None, "tests/conftest.py gave this test no xdist group"
    group = mark.args[0]
    assert group == __name__
    assert request.node.nodeid.endswith(f"@{group}"), (
        f"{request.node.nodeid}: pytest-xdist lost the test's group, so each worker would build every shared "
        "run; check the pytest and pytest-xdist versions against constraints.txt")
