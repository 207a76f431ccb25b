"""Shared test configuration. Each area keeps its own fixtures in tests/support/<area>.py."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """../shared/corpus (third-party pages, never copied into the repo); skip when absent."""
    if not (CORPUS / "pages").is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (../shared/corpus beside the project)")
    return CORPUS
