"""The shape of the house: no import circles, Django-free clients, Hemi free of integrations."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

PACKAGES = ("hemi_fulfilment", "oc_integration", "ebay_orders", "tests")
ROOT = Path(__file__).resolve().parent.parent
#: The demo's composition root: the one module of Hemi's own that knows every app.
COMPOSITION_ROOT = "hemi_fulfilment.management.commands.seed_demo"


@cache
def import_graph() -> grimp.ImportGraph:
    # Imports inside functions and under TYPE_CHECKING count: a lazy import that closes a
    # circle is still a circle, only hidden.
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def direct_imports() -> dict[str, set[str]]:
    graph = import_graph()
    return {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}


def test_the_project_has_no_import_circles() -> None:
    try:
        TopologicalSorter(direct_imports()).prepare()
    except CycleError as exc:
        pytest.fail("Import circle: " + " -> ".join(exc.args[1]))


def test_the_cycle_check_finds_a_circle() -> None:
    with pytest.raises(CycleError):
        TopologicalSorter({"a": {"b"}, "b": {"c"}, "c": {"a"}}).prepare()


def test_hemis_own_code_imports_no_integration_except_the_demo_seed() -> None:
    offending = sorted(
        f"{importer} imports {imported}"
        for importer, imports in direct_imports().items()
        if importer.startswith("hemi_fulfilment") and importer != COMPOSITION_ROOT
        for imported in imports
        if imported.split(".")[0] in ("oc_integration", "ebay_orders")
    )
    assert offending == []


def test_the_integrations_do_not_import_each_other() -> None:
    offending = sorted(
        f"{importer} imports {imported}"
        for importer, imports in direct_imports().items()
        for imported in imports
        if {importer.split(".")[0], imported.split(".")[0]} == {"oc_integration", "ebay_orders"}
    )
    assert offending == []


def test_the_clients_load_neither_django_nor_celery() -> None:
    probe = (
        "import sys, oc_integration.client, ebay_orders.client\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery'))\n"
        "print(' '.join(loaded))\n"
    )
    # A clean interpreter: this test process has Django loaded already.
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_sandboxes_share_no_code_with_the_clients() -> None:
    offending = sorted(
        f"{importer} imports {imported}"
        for importer, imports in direct_imports().items()
        for app in ("oc_integration", "ebay_orders")
        if importer.startswith(f"{app}.sandbox")
        for imported in imports
        if imported.startswith(f"{app}.client")
    )
    assert offending == []
