# pyproject.toml is the source of truth; this shim exists because scrapyd-deploy builds its egg with `setup.py bdist_egg`.
from setuptools import setup

setup()
