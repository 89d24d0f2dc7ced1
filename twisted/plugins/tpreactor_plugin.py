"""
The twistd dropin: `twistd -n tpreactor`. Kept to one line so that an
import error can never hide the plugin; the work is in tpreactor.tap.
"""

from twisted.application.service import ServiceMaker

tpreactor = ServiceMaker(
    "tpreactor",
    "tpreactor.tap",
    "Line server that reports connection time, with real or apparent concurrency.",
    "tpreactor",
)
