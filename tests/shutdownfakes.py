"""
Fakes shared by the shutdown tests: an executor the test finishes by hand,
listeners that close at once, a terminal that counts, and the log as text.
"""

from twisted.application.service import Service

from tpreactor.service import TimeServer



class HeldExecutor:
    """
    An executor whose work finishes only when the test says so.
    """

    inline = False

    def __init__(self):
        self.waiting = []

    def ready(self, protocol):
        self.waiting.append(protocol)

    def load(self):
        return {"kind": "threads", "size": 1, "busy": 0, "queued": len(self.waiting)}

    def finishAll(self):
        while self.waiting:
            protocol = self.waiting.pop(0)
            texts = protocol.takeBatch(64)
            protocol.batchDone([None] * len(texts))


class FakeListener(Service):
    """
    A listening service whose port closes at once.
    """

    def __init__(self):
        self.port = object()
        self.stopped = 0

    def stopService(self):
        Service.stopService(self)
        self.stopped += 1
        self.port = None


def timeServer(memory):
    listener = FakeListener()
    server = TimeServer(memory.factory, None, [listener], memory.clock, "reactor")
    return server, listener


def messages(events):
    from twisted.logger import formatEvent

    return [formatEvent(e) for e in events]


class FakeTerminal:
    def __init__(self):
        self.saved = self.restored = 0

    def save(self):
        self.saved += 1

    def restore(self):
        self.restored += 1
