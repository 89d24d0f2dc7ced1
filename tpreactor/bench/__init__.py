# -*- test-case-name: tests.test_bench -*-
"""tpreactor-bench: the server's modes measured side by side by a load generator in processes of its own."""
