import sys

from newsbot.cli import main

if __name__ == "__main__":  # extraction worker processes (spawn) import this module too
    sys.exit(main())
