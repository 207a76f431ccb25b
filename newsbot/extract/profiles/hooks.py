"""Named profile hooks: the part of a site profile that data cannot say.

A site's `[site.profile]` in data/sites.toml names one with `hook = "name"`; the hook gets the body paragraphs the
profile's selectors found and the parsed page, and returns the paragraphs to keep. Register one here:

    def drop_signoff(paragraphs: list[str], tree: LexborHTMLParser) -> list[str]:
        return [p for p in paragraphs if not p.startswith("للتواصل مع المحرر")]

    HOOKS["drop_signoff"] = drop_signoff

The registry refuses a hook name that is not in HOOKS (one-line reason from `newsbot sites`).
"""

from __future__ import annotations

from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser

Hook = Callable[[list[str], LexborHTMLParser], list[str]]

# None yet: every corpus site reads well with selectors alone (or with none)
HOOKS: dict[str, Hook] = {}
