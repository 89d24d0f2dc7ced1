# -*- test-case-name: tests.test_messages -*-
"""
Every text in English, letter for letter as the contract writes it.
"""

from . import Catalogue, ClientTexts

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
    proxyRefused="Connection from {peer} closed: {reason}.",
    proxyReasons={
        "missing": "it did not begin with a PROXY header",
        "malformed": "malformed PROXY header",
        "slow": "no PROXY header within {seconds:g} s",
        "gone": "it disconnected before sending its PROXY header",
        "untrusted": "it is not a trusted proxy (--trusted-proxies): its PROXY header is not believed",
        "duplicate": "its PROXY header claims {claimed}, a client already connected",
    },
    workFailed="Error while processing a message from {peer}: {cause}",
    exposed="Warning: {address} takes clients from every interface and without --max-per-ip; "
    "a single host can take every connection.",
    openFileBound={
        "one": "Warning: the open-file limit (ulimit -n) is too low for --max-connections {asked}: "
        "at most {served} client is served at once.",
        "other": "Warning: the open-file limit (ulimit -n) is too low for --max-connections {asked}: "
        "at most {served} clients are served at once.",
    },

    # Starting the server: usage errors, --help, the files twistd opens.
    usageLine="tpreactor: {error}",
    usageHint="Try 'twistd tpreactor --help' for the options.",
    unknownMode="unknown mode {mode}; choose one of {modes}",
    unknownLanguage="unknown language {lang}; choose one of {langs}",
    unknownWorkKind="unknown work kind {kind}; choose one of {kinds}",
    numberAtLeast="--{option} must be a number at least {minimum}, not {value}",
    numberGreater="--{option} must be a number greater than {minimum}, not {value}",
    badPort="--port must be a TCP port number (0-65535), not {value}",
    badTrustedProxies="--trusted-proxies: {item} is neither an IP address nor a network "
    "(e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32, comma-separated)",
    badEndpoint="bad endpoint {description}: {reason}",
    endpointNeedsPackage=(
        "endpoint {description} needs a package that is not installed ({package}); "
        "for ssl: install tpreactor[tls]"
    ),
    pemHint=" (is it a PEM file of the right kind?)",
    getoptErrors={
        "not recognized": "option {option} not recognized",
        "requires argument": "option {option} requires argument",
        "must not have an argument": "option {option} must not have an argument",
        "not a unique prefix": "option {option} not a unique prefix",
    },
    wrongArguments="Wrong number of arguments.",
    cannotListen="tpreactor: cannot listen on {description}: {reason}",
    noAnswer="the endpoint did not answer",
    cannotPause="tpreactor: {description} cannot pause accepting, which {mode} mode needs",
    osErrors={},
    folderMissing="the folder {folder} does not exist",
    notAFolder="{folder} is not a folder",
    isAFolder="it is a folder",
    cannotLog="tpreactor: cannot write the log to {path}: {reason}",
    cannotWritePid="tpreactor: cannot write the pid file {path}: {reason}",
    helpUsage="Usage:",
    helpOptionsWord="[options]",
    helpOptions="Options:",
    helpDefault="[default: {default}]",
    helpLongdesc=(
        "A line server that welcomes each client with the date it connected and "
        "answers every message with the time elapsed since then; `salir` ends a "
        "session. --listen takes any Twisted server endpoint string, e.g. tcp:6667, "
        "tcp6:6667:interface=\\:\\:1, unix:/tmp/tp.sock, ssl:6668:privateKey=k.pem; "
        "haproxy:tcp:6667 (behind HAProxy: each client comes with its PROXY header); "
        "give it several times to listen on several. Without --listen or --port the "
        "server listens on {listen} (loopback only)."
    ),
    optionHelp={
        "quiet": "Do not log every message (connections are still logged).",
        "mode": "Concurrency mode: {modes}.",
        "work": "Simulated work per message, in seconds.",
        "work-kind": "What the work is: {kinds}.",
        "threads": "Worker threads{inModes}.",
        "processes": "Worker processes{inModes}; 0 means one per core.",
        "lang": "Language of every text: {langs}.",
        "backlog": "Listen backlog for endpoints that set none.",
        "grace": "Seconds a graceful shutdown waits for pending replies.",
        "max-line-length": "Longest message accepted, in bytes.",
        "idle-timeout": "Close clients silent this long, in seconds; 0 disables. Default: off{idle}.",
        "max-connections": "Most clients at once{held}. Default: what the open-file limit allows.",
        "max-per-ip": "Most clients at once from one address; 0 is no limit.",
        "workers": "Processes that share the listening sockets{inModes}; 0 means one per core, 1 one process. "
        "With more, --max-connections (when given) and --max-per-ip count the whole server's clients.",
        "worker-timeout": "With --workers: seconds a worker process may go without answering the main process "
        "before it is killed (SIGKILL) and another started; 0: never killed.",
        "trusted-proxies": "Addresses and networks (CIDR, IPv4 or IPv6, comma-separated) whose PROXY header is "
        "believed on haproxy: endpoints; a connection from anywhere else is closed. Default: 127.0.0.0/8 and ::1; "
        "unix sockets always.",
        "listen": "Listen on this endpoint (repeatable).",
        "port": "Listen on this TCP port of 127.0.0.1 (short for --listen tcp:PORT:interface=127.0.0.1).",
        "status": "Serve a live status page, /status.json, /metrics and /healthz on this endpoint (a bare port means 127.0.0.1; a unix socket is its owner's only). Default: off.",
        "status-max-connections": "Most HTTP connections to the status page at once; they count in the same open-file limit as the clients.",
        "status-host": "Another name (Host header) the status page is reached by (repeatable); besides its address and, on loopback, localhost.",
        "status-auth": "Ask for a user and password (HTTP Basic) for everything but /healthz, against this htpasswd -B file.",
        "help": "Display this help and exit.",
        "version": "Display Twisted version and exit.",
    },
    modeSummaries={},
    inModes=" in {modes} mode",
    orWord=" or ",
    heldModes=" ({modes} mode: served plus held)",

    # The client (tpreactor-client).
    client=ClientTexts(
        connecting="Connecting to {host} port {port}",
        connectingTo="Connecting to {host}",
        prompt="Message for the server: ",
        closing="Closing the connection with the server...",
        serverClosed="The connection with the server was closed.",
        closingSocket="Closing socket",
        target="{host} port {port}",
        cannotConnect="Could not connect to {target}: {reason}.",
        refused="connection refused (is the server running?)",
        noSocket="no socket at that path (is the server running?)",
        unknownHost="unknown host",
        timedOut="no answer within {seconds:g} s",
        connectionFailed="The connection failed: {reason}",
    ),
    clientDescription=(
        "Talk to a tpreactor server: every line you type is sent, and the "
        "reply is printed before the next prompt; `salir` or Ctrl+D ends the "
        "session. With standard input not a terminal, each input line is "
        "sent in turn and the session ends at the end of input."
    ),
    clientHelp={
        "host": "server name or address (default {host})",
        "port": "server port (default {port})",
        "connect": "any Twisted client endpoint instead of HOST PORT, e.g. "
        "tcp6:\\:\\:1:6667, unix:/tmp/tp.sock, tls:example.org:6697",
        "timeout": "how long connecting may take (default %(default)g); waiting for "
        "the welcome, e.g. in a serial server's queue, is not timed",
        "lang": "language of the client's own texts (default %(default)s)",
        "help": "show this help message and exit",
    },
    clientExitStatuses=(
        "exit status:\n"
        "  {ok:<4} the session ended with salir, Ctrl+D or the end of input\n"
        "  {serverClosed:<4} the server closed the connection first\n"
        "  {badArguments:<4} bad arguments\n"
        "  {refused:<4} connection refused (nothing listens there)\n"
        "  {unknownHost:<4} unknown host\n"
        "  {timedOut:<4} no connection within --timeout\n"
        "  {cannotConnect:<4} any other failure to connect (a TLS handshake, too)\n"
        "  {interrupted:<4} Ctrl+C (salir is sent first); {terminated} for SIGTERM\n"
    ),
    clientUsage="usage: ",
    clientPositionals="positional arguments",
    clientOptionals="options",
    clientSeconds="SECONDS",
    clientError="{prog}: error: {message}",
    clientBadPort="invalid port {value} (1-65535)",
    clientBadSeconds="invalid number of seconds {value}",
    clientNotBoth="give either HOST [PORT] or --connect, not both",
    clientTcp6="tcp6 takes HOST:PORT and an optional timeout=SECONDS",
    clientNeedsPackage="endpoint {description} needs a package that is not installed ({package}); install tpreactor[tls]",
    argparseErrors={
        "invalidChoice": "argument {argument}: invalid choice: {value} (choose from {choices})",
        "expectedOne": "argument {argument}: expected one argument",
        "argument": "argument {argument}: {message}",
        "unrecognized": "unrecognized arguments: {args}",
    },
    workerReady="[w{worker}] Worker process ready (pid {pid}).",
    workerDied="[w{worker}] The worker process (pid {pid}) ended unexpectedly ({cause}) with {clients}; "
    "starting another.",
    workerDiedSoon="[w{worker}] The worker process (pid {pid}) ended unexpectedly ({cause}) with {clients}, "
    "{ran:g} s after it started; starting another in {seconds:g} s.",
    workerNotStarted="[w{worker}] Could not start the worker process ({reason}); trying again in {seconds:g} s.",
    workerSilent="[w{worker}] The worker process (pid {pid}) has not answered for {seconds:g} s, with {clients}: "
    "killing it (SIGKILL){then}.",
    clientsCount={"one": "{count} client", "other": "{count} clients"},
    startingAnother=" and starting another",
    workerKilledLate="[w{worker}] The worker process (pid {pid}) did not finish stopping within {seconds:g} s: "
    "killing it (SIGKILL).",
    workerNoAnswer="[w{worker}] The worker process (pid {pid}) did not answer: its clients ({clients} when last "
    "heard) are not in this answer.",
    epollShared="{address} is watched without EPOLLEXCLUSIVE ({reason}): every connection wakes every worker "
    "process.",
    workersCannotShare="--workers cannot share {description}: {kind} endpoints are not plain stream sockets "
    "(use tcp, tcp6 or unix, haproxy: over them)",
    noWorkers="{mode} mode does not take --workers above 1: apparent concurrency serves one client at a time.",

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
    graceOver={
        "one": "Grace period over ({grace} s): closing {count} connection at once; without its replies: {peers}.",
        "other": "Grace period over ({grace} s): closing {count} connections at once; "
        "without their replies: {peers}.",
    },
    cutShort={
        "one": "Shutdown hurried by the operator: closing {count} connection at once; without its replies: {peers}.",
        "other": "Shutdown hurried by the operator: closing {count} connections at once; "
        "without their replies: {peers}.",
    },
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
    # The status endpoint (--status).
    statusListening="Status page: {url}",
    statusExposed="Warning: the status page on {address} can be seen from other machines, without --status-auth: "
    "whoever reaches it sees the clients' addresses and their messages.",
    statusNeeded="{option} needs --status",
    authErrors={
        "unreadable": "--status-auth: cannot read {path}: {reason}",
        "badLine": "--status-auth: line {line} of {path} is not user:hash",
        "notBcrypt": "--status-auth: line {line} of {path} is no bcrypt hash (make it with htpasswd -B)",
        "empty": "--status-auth: {path} has no user",
    },
    portRange="the port must be between 0 and 65535",
    statusPage={
        "title": "tpreactor status",
        "offline": "The server does not answer.",
        "serving": "serving",
        "stopping": "stopping",
        "mode": "Mode",
        "listening": "Listening on",
        "uptime": "Up for",
        "clients": "Clients being served",
        "waiting": "Waiting their turn",
        "numbers": "Load",
        "rate": "Messages per second",
        "p50": "Reply time p50 (last minute)",
        "p99": "Reply time p99 (last minute)",
        "messages": "Messages answered",
        "refusals": "Refused",
        "pool": "Pool",
        "since": "since {time}",
        "messagesCount": {"one": "{count} message", "other": "{count} messages"},
        "waitingFor": "accepted {time} ago",
        "backlog": "In the kernel's queue, not yet accepted: {count}",
        "inline": "the reactor thread",
        "inlineWorkers": "the reactor thread of each of the {count} worker processes",
        "poolBusy": "{busy} of {size} busy; {queued} waiting",
        "timeline": "Who was served when (last minute)",
        "waitingTurn": "waiting their turn",
        "servedLegend": "served",
        "workLegend": "working on a message",
        "now": "now",
    },
)
