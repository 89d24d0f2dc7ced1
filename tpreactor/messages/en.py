# -*- test-case-name: tests.test_messages -*-
"""
Every text in English, letter for letter as the contract writes it.
"""

from . import Catalogue

ENGLISH = Catalogue(
    lang="en",
    datePattern="MMMM d 'at' HH:mm",
    exitWords=frozenset({"salir", "exit", "quit"}),

    # On the wire.
    welcome="Server: Connection established on {date}. You can send messages to the server.",
    reply="Message received on {date}. Time since connection: ",
    goodbye="Server: Connection ended. Total connection time: {elapsed}",
    closedByServer="Server: The server closed the connection.",
    internalError="Server: Internal error while processing the message.",
    tooLong="Server: Error: message too long (maximum {limit} bytes).",
    idle="Server: Connection closed for inactivity.",
    full="Server: Server full, try again later.",

    # On the operator's console, about the clients.
    listening="Server in {mode} mode listening on {address}",
    connected="Connection established with IP: {host} and Port: {port}",
    received="Message received from {peer}: {text}",
    clientQuit="Client {peer} closed the connection.",
    clientGone="Client {peer} disconnected.",
    kicked="Client {peer} disconnected by the server: {reason}.",
    reasons={
        "idle": "inactivity",
        "tooLong": "message too long",
        "full": "server full",
        "operator": "operator's order",
        "shutdown": "server shutdown",
    },
    workFailed="Error while processing a message from {peer}: {cause}",
    exposed="Warning: {address} takes clients from every interface and without --max-per-ip; "
    "a single host can take every connection.",

    # The Ctrl+C question (exact, from the contract).
    question="An interruption was detected. What do you want to do?",
    options=(
        "1. Close only the server socket.",
        "2. Close all active connections and then the server socket.",
        "3. Exit without closing anything.",
    ),
    prompt="Choose an option: ",
    resumed="Still serving.",

    # The operator's commands.
    ready="Operator console: type help for the commands; Ctrl+C to stop the server.",
    listHeader="Active connections: {active}",
    listWaiting=", waiting: {waiting}",
    clientLine="{peer}  connected on {date} ({ago} ago), messages: {messages}",
    pendingNote=" (not yet answered: {pending})",
    waitingLine="{peer}  waiting for its turn",
    queuedLine="{count} more waiting their turn in the kernel's queue (not accepted yet: address unknown)",
    kicking="Disconnecting {peer}.",
    unknownPeer="No client is connected from {peer}.",
    kickUsage="Usage: kick IP:PORT (the address as list shows it).",
    unknownCommand="Unknown command: {command}. Type help for the list of commands.",
    help=(
        "Commands:\n"
        "  list (or clientes)               list the active connections\n"
        "  kick IP:PORT (or desconectar)    close that connection, with notice\n"
        "  help (or ayuda)                  this list\n"
        "Ctrl+C: ask how to stop the server."
    ),

    # Shutdown steps, logged.
    socketClosed="Server socket closed.",
    allClosed="All active connections have been closed.",
    waitingClosed="Waiting clients closed without a welcome: {count}.",
    backlogReset="Connections in the kernel's queue refused when the socket closed: {count}.",
    draining="Still serving the connected clients ({count}); the server ends when the last one leaves.",
    lastLeft="No client left: the server ends.",
    shutdownStarted=(
        "Graceful shutdown: new connections are refused. Open connections: {open} "
        "(waiting: {waiting}); messages not yet answered: {pending}; grace period: {grace} s."
    ),
    shutdownDone="Graceful shutdown: messages answered: {answered}; connections closed: {closed}; cut: {cut}.",
    graceOver=(
        "Grace period over ({grace} s): closing {count} connections at once; "
        "without their replies: {peers}."
    ),
    cutShort="Shutdown hurried by the operator: closing {count} connections at once; without their replies: {peers}.",
    aborted="Connections aborted because they did not read the closing line: {count}.",
    poolStopping="Stopping the worker pool.",
    poolStopped="Worker pool stopped.",
    poolAbandoned="The worker pool did not stop within {seconds} s: the work still running is abandoned.",
    poolStopFailed="The worker pool failed to stop: {cause}.",
    signalled="Signal {signal} received: graceful shutdown.",
    signalledDuringStop="Signal {signal} during the shutdown: connections are closed at once.",
    hangupDuringStop="Signal {signal} during the shutdown: the graceful shutdown goes on.",
    secondInterrupt="Second Ctrl+C with the question open: option 2.",
    exitingNow="Exiting without closing anything.",
    exitStatus="Exit status: {code}.",
    alreadyClosed="The server socket is already closed.",
    terminalLost="Console: the terminal cannot be opened again; Ctrl+C now shuts down without asking.",
)
