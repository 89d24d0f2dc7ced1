# -*- test-case-name: tests.test_bench -*-
"""The load generator's clients: raw asyncio protocols that speak the wire, and one job run with them."""

import asyncio
import os
import time

from . import histogram
from .scenarios import CLOSED, HELD, HUNG, OK, REFUSED, UNEXPECTED

WELCOMES = (b"Servidor: Conexi\xc3\xb3n establecida", b"Server: Connection established")
REPLIES = (b"Mensaje Recibido", b"Message received")
GOODBYES = (b"Servidor: Conexi\xc3\xb3n finalizada", b"Server: Connection ended")
MESSAGE = b"hola\n"
SALIR = b"salir\n"

_WELCOME, _REPLY, _GOODBYE, _HOLD, _DONE = range(5)

now = time.monotonic


class Run:
    """
    What the clients of one job share: the histogram, the records, the
    limit on clients waiting for their welcome.
    """

    def __init__(self, loop, spec):
        self.loop = loop
        self.spec = spec
        self.hist = histogram.newHistogram()
        self.records = []
        self.firstUnexpected = None
        self.waiting = asyncio.Semaphore(spec["max_waiting"]) if spec["max_waiting"] else None
        self.hold = spec["scenario"] == "idle"
        self.held = 0
        self.allHeld = loop.create_future()
        self.expectedHeld = len(spec.get("indexes", ()))
        self.live = set()

    def unexpected(self, line):
        if self.firstUnexpected is None:
            self.firstUnexpected = line[:200].decode("utf-8", "replace")

    def settled(self, client):
        """
        In the idle scenario: one more client is welcomed (or has failed).
        """
        self.held += 1
        if self.held >= self.expectedHeld and not self.allHeld.done():
            self.allHeld.set_result(None)


class Client(asyncio.Protocol):
    """
    One connection: waits for the welcome, sends its messages one at a time
    (each after the reply to the one before), then C{salir}, and waits for
    the goodbye and the close. In the idle scenario it stays after the welcome.
    """

    def __init__(self, run, index, messages):
        self.run = run
        self.index = index
        self.messages = messages
        self.sent = 0
        self.replies = 0
        self.state = _WELCOME
        self.buffer = b""
        self.transport = None
        self.started = now()
        self.welcomed = None
        self.sentAt = 0.0
        self.status = None
        self.done = run.loop.create_future()
        self.releaseSlot = None
        self.settledHold = False

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        if self.buffer:
            data = self.buffer + data
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            self.lineReceived(data[start:end])
            start = end + 1
        self.buffer = data[start:] if start < len(data) else b""

    def lineReceived(self, line):
        state = self.state
        if state == _REPLY:
            if line.startswith(REPLIES):
                histogram.record(self.run.hist, now() - self.sentAt)
                self.replies += 1
                self.next()
            else:
                self.fail(UNEXPECTED, line)
        elif state == _WELCOME:
            if line.startswith(WELCOMES):
                self.welcomed = now()
                self.freeSlot()
                self.next()
            else:
                self.fail(UNEXPECTED, line)
        elif state == _GOODBYE:
            if line.startswith(GOODBYES):
                self.status = OK
                self.state = _DONE
            else:
                self.fail(UNEXPECTED, line)
        elif state != _DONE:
            self.fail(UNEXPECTED, line)

    def next(self):
        if self.sent < self.messages:
            self.sent += 1
            self.state = _REPLY
            self.sentAt = now()
            self.transport.write(MESSAGE)
        elif self.run.hold:
            self.state = _HOLD
            self.settle()
        else:
            self.state = _GOODBYE
            self.transport.write(SALIR)

    def settle(self):
        if self.run.hold and not self.settledHold:
            self.settledHold = True
            self.run.settled(self)

    def freeSlot(self):
        release, self.releaseSlot = self.releaseSlot, None
        if release is not None:
            release()

    def fail(self, status, line=None):
        if line is not None:
            self.run.unexpected(line)
        if self.status is None:
            self.status = status
        self.state = _DONE
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc):
        if self.status is None:
            self.status = HELD if self.state == _HOLD else CLOSED
        self.finish()

    def finish(self):
        self.freeSlot()
        self.settle()
        if not self.done.done():
            self.done.set_result(None)

    def record(self):
        end = now()
        return (self.index, self.status or HUNG, self.started, self.welcomed, end, self.replies)


async def _session(run, index, messages, host, port):
    """
    Connect one client and wait until it is done; its record goes to C{run}.
    """
    loop = run.loop
    if run.waiting is not None:
        await run.waiting.acquire()
    client = Client(run, index, messages)
    if run.waiting is not None:
        client.releaseSlot = run.waiting.release
    run.live.add(client)
    try:
        await loop.create_connection(lambda: client, host, port)
    except ConnectionRefusedError:
        client.status = REFUSED
        client.finish()
    except OSError as e:
        client.status = f"error:{type(e).__name__}:{e.errno}"
        client.finish()
    except asyncio.CancelledError:
        client.finish()
        raise
    try:
        await client.done
    finally:
        run.live.discard(client)
        run.records.append(client.record())


async def _churnSlot(run, counter, host, port):
    while counter[0] < counter[1]:
        index = counter[0] + counter[2]
        counter[0] += 1
        await _session(run, index, 0, host, port)


async def runJob(spec, host, port, control=None):
    """
    Run one job and return its raw result (see L{scenarios.account}).
    C{control} is the pipe to the bench in the idle scenario: we say
    C{held} once every client is welcomed and wait for C{release}.
    """
    loop = asyncio.get_running_loop()
    run = Run(loop, spec)
    cpu0 = time.process_time()
    t0 = now()
    if spec["scenario"] == "churn":
        counter = [0, spec["connections"], spec.get("first_index", 0)]
        tasks = [asyncio.ensure_future(_churnSlot(run, counter, host, port)) for _ in range(spec["in_flight"])]
    else:
        messages = spec["messages"] if spec["scenario"] in ("chat", "welcome") else 0
        tasks = [asyncio.ensure_future(_session(run, i, messages, host, port)) for i in spec["indexes"]]
    deadline = t0 + spec["timeout"]
    if run.hold:
        if run.expectedHeld:
            await asyncio.wait([run.allHeld], timeout=max(0.0, deadline - now()))
        t1 = now()
        cpu1 = time.process_time()
        welcomed = sum(1 for c in run.live if c.welcomed is not None)
        if control is not None:
            control.send(("held", welcomed))
            await _receive(loop, control)
        for client in list(run.live):
            if client.status is None and client.welcomed is not None:
                client.status = HELD
            if client.transport is not None:
                client.transport.abort()
            else:
                client.finish()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - now()))
        for client in list(run.live):
            if client.status is None:
                client.status = HUNG
            if client.transport is not None:
                client.transport.abort()
            client.finish()
        if pending:
            await asyncio.wait(pending, timeout=5.0)
    if not run.hold:
        t1 = now()
        cpu1 = time.process_time()
    return {
        "clients": run.records,
        "hist": histogram.encode(run.hist),
        "t0": t0,
        "t1": t1,
        "cpu": cpu1 - cpu0,
        "first_unexpected": run.firstUnexpected,
    }


def _receive(loop, conn):
    """
    The next message on C{conn}, without blocking the loop.
    """
    future = loop.create_future()
    fd = conn.fileno()

    def readable():
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop made it non-blocking; the pipe stays blocking for us
        future.set_result(conn.recv())

    loop.add_reader(fd, readable)
    return future
