"""Registries: names, aliases, lazy targets, entry-point plugins."""

from __future__ import annotations

from importlib import metadata

import pytest

from wisebench.errors import UnknownNameError, WisebenchError
from wisebench.registry import MODELS, SUITES, Registry


def test_builtin_names_and_aliases():
    assert SUITES.canonical("mini") == "reasonseg-mini"
    assert SUITES.canonical("RefCOCOplus") == "refcoco+"
    assert MODELS.load("oracle").__name__ == "OracleAdapter"
    for entry in SUITES.entries():
        suite = SUITES.load(entry.name)()
        assert suite.name == entry.name and suite.default_split in suite.splits


def test_unknown_name_lists_known_ones():
    with pytest.raises(UnknownNameError, match="known suites: .*reasonseg"):
        SUITES.canonical("reasonsge")


def test_entry_point_plugin_is_found_and_cannot_shadow_builtins(monkeypatch):
    registry = Registry("model", "wisebench.models")
    registry.register("oracle", "wisebench.adapters.oracle:OracleAdapter")
    points = [
        metadata.EntryPoint(name="my-model", value="wisebench.adapters.oracle:OracleAdapter", group="wisebench.models"),
        metadata.EntryPoint(name="oracle", value="json:loads", group="wisebench.models"),
    ]
    monkeypatch.setattr(metadata, "entry_points", lambda group: points if group == "wisebench.models" else [])
    assert registry.canonical("my-model") == "my-model"
    assert registry.load("my-model").__name__ == "OracleAdapter"
    assert registry.entry("oracle").target == "wisebench.adapters.oracle:OracleAdapter"


def test_missing_dependency_is_a_clear_error():
    registry = Registry("model", "wisebench.models")
    registry.register("needs-extra", "package_that_is_not_installed_anywhere:Model")
    with pytest.raises(WisebenchError, match="not installed"):
        registry.load("needs-extra")
