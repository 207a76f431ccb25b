"""Site profiles: a selector set plus an optional hook per site, registered in one place (PROFILES below).

Profiles are the exception. The generic body finder (extract/body.py) runs on every page of every site,
including sites nobody has looked at; fix its mechanism first. A profile is for a site whose markup defeats
the generic rules: one small module per site in this folder, e.g. `profiles/example_news.py`:

    from newsbot.extract.profiles.base import Profile

    PROFILE = Profile(
        slug="example-news",
        domains=("example-news.com",),
        body=("div.story-text",),        # first selector that matches wins; its blocks are the body
        drop=("div.story-text .promo",),  # blocks left out wherever they sit
        hook=None,                        # optional: (paragraphs, tree) -> paragraphs
    )

then one import and one list entry here, and a test on a page written to mimic that site's structure
(tests/test_profiles_<slug>.py). When the body selector matches nothing (the site changed its markup),
the generic finder runs as usual.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from newsbot.extract.profiles.base import Profile

__all__ = ["PROFILES", "Profile", "profile_for"]

# The registry: one entry per site module. None yet: the corpus sites are all handled by the generic rules.
PROFILES: list[Profile] = []


def profile_for(url: str) -> Profile | None:
    host = (urlsplit(url).hostname or "").lower()
    for p in PROFILES:
        if any(host == d or host.endswith("." + d) for d in p.domains):
            return p
    return None
