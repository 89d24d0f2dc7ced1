"""
An observer for C{twistd --logger=tests.markedlog.observer} in the
end-to-end tests: each event's text after C{MARK}, no time stamp, no tag.
"""

import sys

from twisted.logger import FileLogObserver, formatEvent


def observer():
    return FileLogObserver(sys.stdout, lambda event: f"MARK {formatEvent(event)}\n")
