# -*- test-case-name: tests.test_bench -*-
"""
tpreactor-bench: measures the server's modes side by side against a load
generator that runs in processes of its own.
"""
