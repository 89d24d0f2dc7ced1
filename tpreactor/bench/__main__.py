# -*- test-case-name: tests.test_bench -*-
"""C{python -m tpreactor.bench}: the same as the C{tpreactor-bench} script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
