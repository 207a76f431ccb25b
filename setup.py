# pyproject.toml is the source of truth for the project; setup.py holds only what it cannot say: the one compiled
# module, and the shim scrapyd-deploy needs (it builds its egg with `setup.py bdist_egg`).
from setuptools import Extension, setup

setup(
    # the parse guard's fast path in C (newsbot/extract/_parsecost.c); optional: without a compiler the build goes
    # on and newsbot/extract/decode.py uses the same bound in Python regexes (slower, same answers)
    ext_modules=[Extension("newsbot.extract._parsecost", ["newsbot/extract/_parsecost.c"], optional=True)],
)
