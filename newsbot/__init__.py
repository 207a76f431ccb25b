"""newsbot: crawl Arabic news sites and turn their pages into clean article records."""

__version__ = "0.1.0"
EXTRACTOR_VERSION = f"newsbot-extract/{__version__}"
