"""deploy/manifests/genaicost.yaml: rendered from the chart by tools/render_manifests.py, up to date, schema-valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chart_objects import KUBE_VERSIONS, load_yaml_documents, validate
from tools.render_manifests import MANIFESTS_FILE, ROOT, manifests_text


def test_checked_in_manifests_are_what_the_chart_renders() -> None:
    assert MANIFESTS_FILE.read_text() == manifests_text(), "run: .venv/bin/python tools/render_manifests.py"


def test_render_manifests_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    tool = ROOT / "tools" / "render_manifests.py"
    ok = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    stale = tmp_path / "genaicost.yaml"
    stale.write_text(MANIFESTS_FILE.read_text().replace("memory: 1Gi", "memory: 2Gi"))
    code = ("import sys, pathlib; import tools.render_manifests as r; "
            f"r.MANIFESTS_FILE = pathlib.Path({str(stale)!r}); sys.exit(r.main(['--check']))")
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    assert bad.returncode == 1 and "out of date" in bad.stderr


def test_manifests_are_valid_and_hold_no_secret() -> None:
    docs = load_yaml_documents(MANIFESTS_FILE)
    assert sorted(d["kind"] for d in docs) == ["ClusterRole", "ClusterRoleBinding", "Deployment",
                                                "PersistentVolumeClaim", "Service", "ServiceAccount"]
    for version in KUBE_VERSIONS:
        for doc in docs:
            validate(doc, version)
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    assert deployment["metadata"]["namespace"] == "genaicost"
    [token] = [v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "api-token"]
    assert token["secret"]["secretName"] == "genaicost-token"       # created by the user (header of the file)
    assert "kubectl -n genaicost create secret generic genaicost-token" in MANIFESTS_FILE.read_text()
