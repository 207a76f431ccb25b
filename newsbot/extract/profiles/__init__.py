"""Site profiles: a selector set plus an optional hook per site, registered in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Profile:
    slug: str
    domains: tuple[str, ...]
    body: tuple[str, ...] = ()  # CSS selectors of the body container(s)
    drop: tuple[str, ...] = ()  # CSS selectors removed before extraction
    title: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


PROFILES: list[Profile] = []


def profile_for(url: str) -> Profile | None:
    host = (urlsplit(url).hostname or "").lower()
    for p in PROFILES:
        if any(host == d or host.endswith("." + d) for d in p.domains):
            return p
    return None
