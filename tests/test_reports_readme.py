"""The README's audit-chain check, run verbatim against a real export."""

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import active_agreement

README = Path(__file__).resolve().parent.parent / "README.md"
HEADING = "## Verifying the audit trail outside the registry"


def readme_snippet() -> str:
    section = README.read_text(encoding="utf-8").split(HEADING, 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def run(script: Path, export: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own script and file)
        [sys.executable, str(script), str(export)], capture_output=True, text=True, check=False
    )


def test_readme_snippet_verifies_an_export_and_catches_tampering(client, world, tmp_path):
    active_agreement(client, world)
    response = client.get("/api/v1/audit?format=jsonl", headers=world.headers("auditor"))
    export = tmp_path / "audit-trail.jsonl"
    export.write_bytes(response.get_data())
    script = tmp_path / "verify_audit.py"
    script.write_text(readme_snippet(), encoding="utf-8")
    events = export.read_text(encoding="utf-8").splitlines()

    result = run(script, export)
    assert result.returncode == 0, result.stderr
    assert f"Chain intact: {len(events)} events" in result.stdout

    tampered = json.loads(events[2])
    tampered["details"]["note"] = "edited"
    events[2] = json.dumps(tampered)
    export.write_text("\n".join(events) + "\n", encoding="utf-8")
    result = run(script, export)
    assert result.returncode == 1
    assert "Chain BROKEN at event 3." in result.stderr
