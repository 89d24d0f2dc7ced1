"""
Shared by the loopback and end-to-end tests: a real `twistd -n tpreactor`
in a subprocess, and small blocking socket clients with deadlines.
"""

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .contract import WELCOME

DEADLINE_SECONDS = 15.0
TWISTD = str(Path(sys.executable).with_name("twistd"))
LISTENING = re.compile(r"(?:escuchando en|listening on) (\S+):(\d+)")
STATUS_LINE = re.compile(r"(?:Página de estado|Status page): (http://127\.0\.0\.1:\d+/)")


def temporaryFolder(testCase):
    """
    A new empty folder, removed when C{testCase} ends (trial's C{mktemp}
    writes under the working directory, which under pytest is the checkout).
    """
    folder = tempfile.mkdtemp(prefix="tpreactor-test-")
    testCase.addCleanup(shutil.rmtree, folder, True)
    return folder


def freePort():
    """
    A TCP port on 127.0.0.1 that nothing listens on right now.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: How often L{until} looks again.
POLL_SECONDS = 0.02


def until(predicate, what="the condition", deadline=DEADLINE_SECONDS):
    """
    Return once C{predicate()} is true, looking every L{POLL_SECONDS}; fail
    saying C{what} was not met if it is still false after C{deadline} seconds.
    """
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"{what} not met within {deadline:g}s")
        select.select([], [], [], POLL_SECONDS)


#: A listening socket's state in /proc/net/tcp.
TCP_LISTEN = "0A"


def kernelQueue(port):
    """
    How many connections to C{port} on 127.0.0.1 the kernel has completed
    and nobody has accepted yet (for a listening socket, Linux's
    /proc/net/tcp shows that count as its receive queue).
    """
    with open("/proc/net/tcp") as table:
        for row in table.read().splitlines()[1:]:
            _, local, _, state, queues = row.split()[:5]
            if state == TCP_LISTEN and local == f"0100007F:{port:04X}":
                return int(queues.split(":")[1], 16)
    return 0


def untilQueued(port, count):
    """
    Return once C{count} connections wait in C{port}'s kernel queue.
    """
    until(lambda: kernelQueue(port) == count, f"{count} connections in the kernel's queue of port {port}")


def get(url, timeout=DEADLINE_SECONDS):
    """
    The status code and body of an HTTP GET of C{url}, errors included.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class ServerProcess:
    """
    `twistd -n tpreactor ARGS` on a free loopback port, its output collected.

    Use as a context manager; the process is always stopped on exit.
    """

    def __init__(self, *args, port=None, env=None, cwd=None, twistdArgs=()):
        self.port = port or freePort()
        self.args = [TWISTD, "--pidfile=", *twistdArgs, "-n", "tpreactor", "--port", str(self.port), *args]
        self.env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self.cwd = cwd
        self.output = b""
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd,
        )
        # Drain the output all the time: a pipe nobody reads fills up and
        # blocks the server in the middle of a log line.
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.waitFor(LISTENING)
        return self

    def _drain(self):
        fd = self.proc.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            with self._changed:
                if chunk:
                    self.output += chunk
                else:
                    self._eof = True
                self._changed.notify_all()
            if not chunk:
                return

    _eof = False

    def read(self, timeout=0.05):
        """
        Wait at most C{timeout} for more output; True if some came.
        """
        with self._changed:
            before = len(self.output)
            if not self._eof:
                self._changed.wait(timeout)
            return len(self.output) > before

    @property
    def text(self):
        return self.output.decode("utf-8", "replace")

    def waitFor(self, pattern, deadline=DEADLINE_SECONDS):
        """
        Wait until the output matches C{pattern} (a regex or a string).
        """
        regex = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        end = time.monotonic() + deadline
        while True:
            match = regex.search(self.text)
            if match:
                return match
            if self.proc.poll() is not None:
                self._reader.join(DEADLINE_SECONDS)
                match = regex.search(self.text)
                if match:
                    return match
                raise AssertionError(f"server exited ({self.proc.returncode}) before {pattern!r}:\n{self.text}")
            if time.monotonic() > end:
                raise AssertionError(f"no {pattern!r} within {deadline}s:\n{self.text}")
            self.read(0.1)

    def signal(self, signum=signal.SIGTERM):
        self.proc.send_signal(signum)

    def wait(self, deadline=DEADLINE_SECONDS):
        """
        Wait for the process to exit; return its exit status.
        """
        end = time.monotonic() + deadline
        while self.proc.poll() is None:
            if time.monotonic() > end:
                raise AssertionError(f"server still running after {deadline}s:\n{self.text}")
            self.read(0.1)
        self._reader.join(DEADLINE_SECONDS)
        return self.proc.returncode

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            self._reader.join(DEADLINE_SECONDS)
            self.proc.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class LineClient:
    """
    A blocking socket client that reads whole lines with a deadline.
    """

    def __init__(self, port, host="127.0.0.1", family=socket.AF_INET, timeout=DEADLINE_SECONDS, source=None):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        if source is not None:  # the address it connects from (127.0.0.2, say)
            self.sock.bind((source, 0))
        self.sock.connect((host, port) if family != socket.AF_UNIX else host)
        self.buffer = b""

    @property
    def localPort(self):
        return self.sock.getsockname()[1]

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode("utf-8"))

    def line(self):
        """
        The next line from the server, without its newline; C{None} at EOF.
        """
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                if self.buffer:
                    rest, self.buffer = self.buffer, b""
                    return rest.decode("utf-8")
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode("utf-8")

    def ask(self, message):
        """
        Send one line and return the reply.
        """
        self.send(message + "\n")
        return self.line()

    def nothingWithin(self, seconds):
        """
        True if the server sends nothing for C{seconds}.
        """
        if self.buffer:
            return False
        ready, _, _ = select.select([self.sock], [], [], seconds)
        return not ready

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


#: Run in the child: make the pseudo-terminal the controlling terminal of the
#: new session, then exec the program (no preexec_fn: this process has threads).
CONTROLLING_TTY = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


class TerminalProcess:
    """
    A program on a pseudo-terminal that is its controlling terminal, stdin,
    stdout and stderr: what a person at a shell sees, Ctrl+C included.
    """

    def __init__(self, argv, env=None):
        self.argv = argv
        self.env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self.master, self.slave = pty.openpty()
        self.attrs = termios.tcgetattr(self.slave)
        self.flags = fcntl.fcntl(self.slave, fcntl.F_GETFL)
        self.output = b""
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CONTROLLING_TTY, *self.argv],
            stdin=self.slave, stdout=self.slave, stderr=self.slave, start_new_session=True, env=self.env,
        )
        return self

    @property
    def text(self):
        return self.output.decode("utf-8", "replace")

    def read(self, timeout):
        """
        Collect what the program wrote, waiting at most C{timeout}.
        """
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the last holder of the slave side has gone
                chunk = b""
            self.output += chunk
            return bool(chunk)
        return False

    def waitFor(self, pattern, after=0, deadline=DEADLINE_SECONDS):
        """
        Wait until the output from offset C{after} matches C{pattern}; return
        the match.
        """
        regex = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        end = time.monotonic() + deadline
        while True:
            match = regex.search(self.text, after)
            if match:
                return match
            if time.monotonic() > end:
                raise AssertionError(f"no {pattern!r} within {deadline}s:\n{self.text}")
            if not self.read(0.1) and self.proc.poll() is not None:
                self.read(0)
                match = regex.search(self.text, after)
                if match:
                    return match
                raise AssertionError(f"exited ({self.proc.returncode}) before {pattern!r}:\n{self.text}")

    def type(self, data):
        os.write(self.master, data if isinstance(data, bytes) else data.encode("utf-8"))

    def wait(self, deadline=DEADLINE_SECONDS):
        """
        Wait for the program to exit; return its status.
        """
        end = time.monotonic() + deadline
        while self.proc.poll() is None:
            if time.monotonic() > end:
                raise AssertionError(f"still running after {deadline}s:\n{self.text}")
            self.read(0.1)
        while self.read(0.05):
            pass
        return self.proc.returncode

    def terminalRestored(self):
        """
        Whether the terminal is as the program found it: blocking, with the
        same flags and attributes.
        """
        flags = fcntl.fcntl(self.slave, fcntl.F_GETFL)
        return not flags & os.O_NONBLOCK and flags == self.flags and termios.tcgetattr(self.slave) == self.attrs

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)


class approx:
    """
    Equal to any number within C{rel} of C{expected}, as C{pytest.approx}
    (same default tolerance), for tests that run under trial too.
    """

    def __init__(self, expected, rel=1e-6):
        self.expected = expected
        self.rel = rel

    def __eq__(self, actual):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        return abs(actual - self.expected) <= max(self.rel * abs(self.expected), 1e-12)

    def __repr__(self):
        return f"{self.expected} ± {self.rel * abs(self.expected):.1e}"


SHARED_MEMORY = "/dev/shm"


def semaphoresOf(pid):
    """
    The POSIX semaphores (in /dev/shm) that process C{pid} has mapped: a
    process pool's, created by multiprocessing and removed by it at exit.
    """
    with open(f"/proc/{pid}/maps") as maps:
        return {line.split()[-1] for line in maps if f"{SHARED_MEMORY}/sem." in line}


def welcomed(port, **kwargs):
    """
    A L{LineClient} on C{port} (C{kwargs} as L{LineClient} takes them) that
    has read its welcome.
    """
    client = LineClient(port, **kwargs)
    line = client.line()
    assert line is not None and line.startswith(WELCOME), line
    return client
