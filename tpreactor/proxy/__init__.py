# -*- test-case-name: tests.test_proxy_header,tests.test_proxy_wrapper,tests.test_proxy_live,tests.test_proxy_trust -*-
"""
The PROXY protocol (v1 and v2) in front of the server: a client behind
HAProxy is admitted by its real address once its header is read
(L{tpreactor.proxy._wrapper}), the header read with Twisted's parsers in any
chunking (L{tpreactor.proxy._header}), believed only from a trusted proxy
and for a client not already connected (L{tpreactor.proxy._trust}).
"""

from ._trust import DEFAULT_TRUSTED, Claims, parseTrusted
from ._wrapper import HEADER_TIMEOUT_SECONDS, HeaderFirstFactory, ProxiedEndpoint

PREFIX = "haproxy:"

__all__ = ["DEFAULT_TRUSTED", "HEADER_TIMEOUT_SECONDS", "PREFIX", "Claims", "HeaderFirstFactory", "ProxiedEndpoint",
           "parseTrusted"]
