"""Real-browser fixtures: Debian's Chromium driven by pytest-playwright, a live server per test.

Playwright cannot download browsers here, so it launches /usr/bin/chromium (or CHROMIUM_PATH).
Without that binary every test in this folder is skipped with a message saying so; `.ci/run`
installs it, so CI always runs them.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import TestingConfig
from registry import create_app
from registry.extensions import db
from tests import helpers

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")


#: werkzeug's development server leaves a static file open when the browser drops the
#: connection mid-response (navigating on while the favicon still streams): its cleanup
#: reads the reset socket and raises before closing the response. Only that is ignored.
STATIC_FILE_LEFT_OPEN = (
    "ignore:unclosed file <_io.BufferedReader name='[^']*/registry/static/:ResourceWarning"
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.filterwarnings(STATIC_FILE_LEFT_OPEN))
            if not Path(CHROMIUM).exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` "
                        "(.ci/run does this) or set CHROMIUM_PATH"
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    # Replaces pytest-base-url's fixture, which trips a pytest deprecation warning; tests use
    # the live_server URL instead.
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script tag, which the pages' CSP (rightly) refuses; the CSP
    # itself is tested in a context of its own (test_csp_allows_the_pages_own_scripts).
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1200, "height": 900}}


@pytest.fixture
def live_app(database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        world = helpers.World.build()
    app.world = world
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """The app on a free port, served from a daemon thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def audit_page(request):
    """Check a page with axe-core (fail on any violation) and keep a screenshot of it."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci) first")
    ARTIFACTS.mkdir(exist_ok=True)
    seen = []

    def check(page, name: str) -> None:
        seen.append(name)
        shot = ARTIFACTS / f"{request.node.name}-{len(seen):02d}-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run(document)).violations")
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in violations
        ]
        assert not problems, f"axe-core found accessibility problems on {name}:\n" + "\n".join(
            problems
        )

    return check
