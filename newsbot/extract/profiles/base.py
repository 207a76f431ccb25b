"""The Profile type (kept apart from the registry so site modules can import it without cycles)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    slug: str
    domains: tuple[str, ...]
    body: tuple[str, ...] = ()  # CSS selectors of the body container(s); the first that matches wins
    drop: tuple[str, ...] = ()  # CSS selectors of blocks left out of the body
    title: tuple[str, ...] = ()  # CSS selectors of the headline; the first that matches gives the title
    date: tuple[str, ...] = ()  # CSS selectors of the publication date (datetime/content attribute, else text)
    extra: dict = field(default_factory=dict)
    # Optional last word on the paragraphs: (paragraphs, tree) -> paragraphs.
    hook: Callable | None = field(default=None, compare=False)
    valid_until: str | None = None  # a site layout's last day (ISO); None: the current layout
