# -*- test-case-name: tests.test_e2e_client -*-
"""
C{python -m tpreactor.client}: the same as C{tpreactor-client}.
"""

from .cli import main

main()
