import os
import random

import numpy as np
import pytest


@pytest.fixture
def rng(request):
    """A NumPy generator whose seed is printed when the test fails."""
    seed = int(os.environ.get("EMBER_TEST_SEED", random.randrange(2**31)))
    request.node.user_properties.append(("seed", seed))
    return np.random.default_rng(seed)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for k, v in item.user_properties:
            if k == "seed":
                rep.sections.append(("seed", f"reproduce with EMBER_TEST_SEED={v}"))
