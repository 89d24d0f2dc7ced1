# -*- test-case-name: tests.test_bench -*-
"""
Bare reference servers: the plainest Twisted LineReceiver and asyncio Protocol writing the same lines.

One thing is not textbook: the asyncio server reads at most 64 KiB at a time,
as Twisted does. CPython 3.11's selector transport asks for 256 KiB on every
read (C{max_size}); on the project's machine allocating that much per read
tripled the server's CPU per message (26 against 8.5 µs) and made asyncio
look slower than Twisted, which compares buffer sizes, not event loops.
"""

import argparse
import resource
import sys
import time
from datetime import datetime, timedelta

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
          "agosto", "septiembre", "octubre", "noviembre", "diciembre")
WELCOME = "Servidor: Conexión establecida el {date}. Puedes enviar mensajes al servidor.\n"
REPLY = "Mensaje Recibido el {date}. Tiempo transcurrido desde la conexión: "
GOODBYE = "Servidor: Conexión finalizada. Tiempo total de conexión: {elapsed}\n"
KINDS = ("twisted", "asyncio")
#: What one read asks for, in both servers (Twisted's C{bufferSize}).
READ_SIZE = 64 * 1024


def fecha(when):
    return f"{when.day} de {MONTHS[when.month - 1]} a las {when:%H:%M} hs"


def elapsed(start):
    return str(timedelta(seconds=time.monotonic() - start))


def runTwisted(host, port):
    from twisted.internet import reactor
    from twisted.internet.protocol import ServerFactory
    from twisted.protocols.basic import LineReceiver

    class Bare(LineReceiver):
        delimiter = b"\n"

        def connectionMade(self):
            self.start = time.monotonic()
            date = fecha(datetime.now())
            self.prefix = REPLY.format(date=date)
            self.transport.write(WELCOME.format(date=date).encode("utf-8"))

        def lineReceived(self, line):
            if line.strip().lower() == b"salir":
                self.transport.write(GOODBYE.format(elapsed=elapsed(self.start)).encode("utf-8"))
                self.transport.loseConnection()
            else:
                self.transport.write((self.prefix + elapsed(self.start) + "\n").encode("utf-8"))

    factory = ServerFactory.forProtocol(Bare)
    factory.noisy = False
    listening = reactor.listenTCP(port, factory, backlog=1024, interface=host)
    announce("twisted", host, listening.getHost().port)
    reactor.run()


def runAsyncio(host, port):
    import asyncio

    class Bare(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport
            if hasattr(transport, "max_size"):  # the selector transport's read size; see above
                transport.max_size = READ_SIZE
            self.buffer = b""
            self.start = time.monotonic()
            date = fecha(datetime.now())
            self.prefix = REPLY.format(date=date)
            transport.write(WELCOME.format(date=date).encode("utf-8"))

        def data_received(self, data):
            self.buffer += data
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if line.strip().lower() == b"salir":
                    self.transport.write(GOODBYE.format(elapsed=elapsed(self.start)).encode("utf-8"))
                    self.transport.close()
                    return
                self.transport.write((self.prefix + elapsed(self.start) + "\n").encode("utf-8"))

    async def serve():
        server = await asyncio.get_running_loop().create_server(Bare, host, port, backlog=1024)
        announce("asyncio", host, server.sockets[0].getsockname()[1])
        await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


def announce(kind, host, port):
    print(f"Servidor en modo {kind} escuchando en {host}:{port}", flush=True)


def raiseOpenFileLimit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tpreactor.bench.reference",
                                     description="A bare reference line server for tpreactor-bench.")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    raiseOpenFileLimit()
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    (runTwisted if args.kind == "twisted" else runAsyncio)(args.host, args.port)


if __name__ == "__main__":
    main()
