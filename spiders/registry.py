"""The site registry, for the crawler's imports: it lives in newsbot/sites.py, where extraction reads it too."""

from newsbot.sites import (
    DEFAULT_REGISTRY,
    REGIONS,
    Layout,
    RegistryError,
    Site,
    adhoc_site,
    discovery_urls,
    load_registry,
    parse_registry,
    registry_sites,
    site_for_url,
    site_from_dict,
)

__all__ = ["DEFAULT_REGISTRY", "REGIONS", "Layout", "RegistryError", "Site", "adhoc_site", "discovery_urls",
           "load_registry", "parse_registry", "registry_sites", "site_for_url", "site_from_dict"]
