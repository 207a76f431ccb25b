"""Site profiles: selectors (and an optional named hook) that say where a site's article text, title and date are.

Profiles are the exception. The generic body finder (extract/body.py) runs on every page of every site,
including sites nobody has looked at; fix its mechanism first. A profile is for a site whose markup defeats
the generic rules, and it is written where everything else about the site is, in data/sites.toml:

    [[site]]
    slug = "example-news"
    ...
    [site.profile]                              # the layout the site serves now
    body = ["div.story-text"]                   # first selector that matches wins; its blocks are the body
    drop = ["div.story-text .promo"]            # blocks left out wherever they sit
    title = ["h1.headline"]
    date = ["time.published"]                   # its datetime/content attribute, else its text
    hook = "drop_signoff"                       # optional: a function in profiles/hooks.py (HOOKS)

    [[site.profile.layouts]]                    # a layout the site served before (Fundus-style versions)
    valid_until = 2023-06-30                    # the last day pages were served in it
    body = ["div.old-story"]

A page is read with the layout valid on the day it was fetched (`extract(..., fetched=...)`: a stored page's
fetch time; now for a live page); when that layout's body selector matches nothing, the layout of the day the
page says it was published, then the others newest first; when none matches, the generic finder runs as usual.
The registry is read once per file version (newsbot/sites.py); sites without a profile cost nothing per page.

A profile that needs code beyond a hook can still be a module in this folder registered in PROFILES below (and
named from sites.toml with `profile = "slug"`), with a test on a page written to mimic that site's structure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract.profiles.base import Profile
from newsbot.extract.profiles.hooks import HOOKS
from newsbot.sites import Layout, Site, registry_sites

__all__ = ["PROFILES", "Profile", "SiteProfiles", "choose_profile", "profile_for", "site_profiles"]

# Python profiles: one entry per site module. None yet: the corpus sites are all handled by the generic rules.
PROFILES: list[Profile] = []

# per registry file: (the cached registry it was built from, [(site, its layouts as Profiles, oldest first)])
_INDEX: dict[Path | None, tuple[dict[str, Site], list[tuple[Site, tuple[Profile, ...]]]]] = {}


def _named_hook(name: str):
    def hook(paragraphs: list[str], tree: LexborHTMLParser) -> list[str]:
        return HOOKS[name](paragraphs, tree)  # looked up per call: hooks registered after the registry was read

    return hook


def _as_profile(site: Site, layout: Layout) -> Profile:
    return Profile(
        slug=site.slug if layout.valid_until is None else f"{site.slug}@{layout.valid_until}",
        domains=tuple(site.allowed_domains), body=layout.body, drop=layout.drop, title=layout.title,
        date=layout.date, hook=_named_hook(layout.hook) if layout.hook else None, valid_until=layout.valid_until,
    )


def _profiled_sites(registry: Path | None) -> list[tuple[Site, tuple[Profile, ...]]]:
    try:
        sites = registry_sites(registry)
    except FileNotFoundError:
        if registry is not None:
            raise
        return []  # installed without data/sites.toml: no site profiles, the generic rules only
    cached = _INDEX.get(registry)
    if cached is None or cached[0] is not sites:
        index = [(s, tuple(_as_profile(s, lay) for lay in s.layouts)) for s in sites.values() if s.layouts or s.profile]
        cached = _INDEX[registry] = (sites, index)
    return cached[1]


def _host_in(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class SiteProfiles:
    """The profiles that may read one URL: Python profiles of its host, and its registry site's layouts."""

    modules: tuple[Profile, ...] = ()
    layouts: tuple[Profile, ...] = ()  # oldest first, the current one (valid_until None) last

    def __bool__(self) -> bool:
        return bool(self.modules or self.layouts)

    def valid_on(self, day: str | None) -> Profile | None:
        """The layout served on `day` (ISO date; None: the current one)."""
        if day is not None:
            for p in self.layouts:
                if p.valid_until is not None and day[:10] <= p.valid_until:
                    return p
        return self.layouts[-1] if self.layouts else None

    def in_order(self, days: Sequence[str | None] = (None,)) -> list[Profile]:
        """Python profiles, then the layouts valid on `days` in turn, then the other layouts newest first."""
        order = list(self.modules)
        for day in days:
            p = self.valid_on(day)
            if p is not None and p not in order:
                order.append(p)
        return order + [p for p in reversed(self.layouts) if p not in order]


def site_profiles(url: str, registry: Path | None = None) -> SiteProfiles:
    """The profiles that may read `url` (registry: a sites.toml path; None: data/sites.toml)."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return SiteProfiles()
    modules = [p for p in PROFILES if _host_in(host, p.domains)]
    best: tuple[int, Site, tuple[Profile, ...]] | None = None
    for site, layouts in _profiled_sites(registry):
        n = site.domain_match_length(url)
        if n and (best is None or n > best[0]):
            best = (n, site, layouts)
    if best is None:
        return SiteProfiles(tuple(modules))
    _, site, layouts = best
    if site.profile:
        modules += [p for p in PROFILES if p.slug == site.profile and p not in modules]
    return SiteProfiles(tuple(modules), layouts)


def choose_profile(tree: LexborHTMLParser, found: SiteProfiles, days: Sequence[str | None] = (None,)
                   ) -> Profile | None:
    """The profile to read this page with: the first of `found.in_order(days)` (days: the fetch day, then the
    publication day) whose body selector matches the page, or that has none; when none matches, the first (the
    generic finder then reads the body, its drop selectors still apply)."""
    order = found.in_order(days)
    for p in order:
        if not p.body or any(tree.css_first(sel) is not None for sel in p.body):
            return p
    return order[0] if order else None


def profile_for(url: str, when: str | None = None, registry: Path | None = None) -> Profile | None:
    """The profile that reads `url` on day `when` (ISO; None: today), without looking at the page."""
    order = site_profiles(url, registry).in_order([when])
    return order[0] if order else None
