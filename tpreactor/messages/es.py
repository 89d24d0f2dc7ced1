# -*- test-case-name: tests.test_messages -*-
"""
Every text in Spanish, letter for letter as the contract writes it.
"""

from . import Catalogue, ClientTexts

SPANISH = Catalogue(
    lang="es",
    datePattern="d 'de' MMMM 'a las' HH:mm 'hs'",
    exitWords=frozenset({"salir"}),

    # On the wire.
    welcome="Servidor: Conexión establecida el {date}. Puedes enviar mensajes al servidor.",
    reply="Mensaje Recibido el {date}. Tiempo transcurrido desde la conexión: ",
    goodbye="Servidor: Conexión finalizada. Tiempo total de conexión: {elapsed}",
    closedByServer="Servidor: El servidor cerró la conexión.",
    internalError="Servidor: Error interno al procesar el mensaje.",
    tooLong="Servidor: Error: mensaje demasiado largo (máximo {limit} bytes).",
    idle="Servidor: Conexión cerrada por inactividad.",
    full="Servidor: Servidor lleno, intente más tarde.",

    # On the operator's console, about the clients.
    listening="Servidor en modo {mode} escuchando en {address}",
    connected="Conexión establecida con IP: {host} y Puerto: {port}",
    received="Mensaje recibido de {peer}: {text}",
    clientQuit="Cliente {peer} ha cerrado la conexión.",
    clientGone="Cliente {peer} se desconectó.",
    kicked="Cliente {peer} desconectado por el servidor: {reason}.",
    reasons={
        "idle": "inactividad",
        "tooLong": "mensaje demasiado largo",
        "full": "servidor lleno",
        "operator": "orden del operador",
        "shutdown": "cierre del servidor",
    },
    proxyRefused="Conexión de {peer} cerrada: {reason}.",
    proxyReasons={
        "missing": "no empezó con una cabecera PROXY",
        "malformed": "cabecera PROXY mal formada",
        "slow": "la cabecera PROXY no llegó en {seconds:g} s",
        "gone": "se desconectó antes de enviar su cabecera PROXY",
        "untrusted": "no es un proxy de confianza (--trusted-proxies): su cabecera PROXY no se cree",
        "duplicate": "su cabecera PROXY dice venir de {claimed}, un cliente que ya está conectado",
    },
    workFailed="Error al procesar un mensaje de {peer}: {cause}",
    exposed="Atención: {address} acepta clientes de cualquier interfaz y sin --max-per-ip; "
    "un solo equipo puede ocupar todas las conexiones.",
    openFileBound={
        "one": "Atención: el límite de archivos abiertos (ulimit -n) no alcanza para --max-connections {asked}: "
        "se atiende a lo sumo {served} cliente a la vez.",
        "other": "Atención: el límite de archivos abiertos (ulimit -n) no alcanza para --max-connections {asked}: "
        "se atienden a lo sumo {served} clientes a la vez.",
    },

    # Starting the server: usage errors, --help, the files twistd opens.
    usageLine="tpreactor: {error}",
    usageHint="Prueba 'twistd tpreactor --help' para ver las opciones.",
    unknownMode="modo desconocido {mode}; elige uno de: {modes}",
    unknownLanguage="idioma desconocido {lang}; elige uno de: {langs}",
    unknownWorkKind="tipo de trabajo desconocido {kind}; elige uno de: {kinds}",
    numberAtLeast="--{option} debe ser un número mayor o igual que {minimum}, no {value}",
    numberGreater="--{option} debe ser un número mayor que {minimum}, no {value}",
    badPort="--port debe ser un número de puerto TCP (0-65535), no {value}",
    badTrustedProxies="--trusted-proxies: {item} no es una dirección IP ni una red "
    "(p. ej. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32, separadas por comas)",
    badEndpoint="endpoint incorrecto {description}: {reason}",
    endpointNeedsPackage=(
        "el endpoint {description} necesita un paquete que no está instalado ({package}); "
        "para ssl: instala tpreactor[tls]"
    ),
    pemHint=" (¿es un archivo PEM del tipo correcto?)",
    getoptErrors={
        "not recognized": "opción desconocida: {option}",
        "requires argument": "la opción {option} necesita un valor",
        "must not have an argument": "la opción {option} no lleva valor",
        "not a unique prefix": "la opción {option} es ambigua: es el comienzo de varias",
    },
    wrongArguments="Número de argumentos incorrecto.",
    cannotListen="tpreactor: no se puede escuchar en {description}: {reason}",
    noAnswer="el endpoint no respondió",
    cannotPause="tpreactor: {description} no puede dejar de aceptar conexiones, y el modo {mode} lo necesita",
    osErrors={
        "EADDRINUSE": "La dirección ya está en uso",
        "EADDRNOTAVAIL": "La dirección no es de este equipo",
        "EACCES": "Permiso denegado",
        "EPERM": "Operación no permitida",
        "ENOENT": "No existe el archivo o la carpeta",
        "ENOTDIR": "No es una carpeta",
        "EISDIR": "Es una carpeta",
        "EROFS": "Sistema de archivos de solo lectura",
        "EAFNOSUPPORT": "Familia de direcciones no admitida",
        "ENAMETOOLONG": "Nombre de archivo demasiado largo",
        "EMFILE": "Demasiados archivos abiertos",
        "ENFILE": "Demasiados archivos abiertos en el sistema",
        "EAGAIN": "Recurso no disponible temporalmente",
        "ENOMEM": "No hay memoria suficiente",
    },
    folderMissing="la carpeta {folder} no existe",
    notAFolder="{folder} no es una carpeta",
    isAFolder="es una carpeta",
    cannotLog="tpreactor: no se puede escribir el registro en {path}: {reason}",
    cannotWritePid="tpreactor: no se puede escribir el archivo de pid {path}: {reason}",
    helpUsage="Uso:",
    helpOptionsWord="[opciones]",
    helpOptions="Opciones:",
    helpDefault="[por defecto: {default}]",
    helpLongdesc=(
        "Un servidor de líneas que da a cada cliente la bienvenida con la fecha en que se "
        "conectó y responde cada mensaje con el tiempo transcurrido desde entonces; `salir` "
        "termina la sesión. --listen acepta cualquier endpoint de servidor de Twisted, p. ej. "
        "tcp:6667, tcp6:6667:interface=\\:\\:1, unix:/tmp/tp.sock, ssl:6668:privateKey=k.pem; "
        "haproxy:tcp:6667 (detrás de HAProxy: cada cliente llega con su cabecera PROXY); "
        "repítelo para escuchar en varios. Sin --listen ni --port el servidor escucha en "
        "{listen} (solo esta máquina)."
    ),
    optionHelp={
        "quiet": "No registrar cada mensaje (las conexiones se registran igual).",
        "mode": "Modo de concurrencia: {modes}.",
        "work": "Trabajo simulado por mensaje, en segundos.",
        "work-kind": "Qué es el trabajo: {kinds}.",
        "threads": "Hilos de trabajo{inModes}.",
        "processes": "Procesos de trabajo{inModes}; 0 es uno por núcleo.",
        "lang": "Idioma de todos los textos: {langs}.",
        "backlog": "Cola de escucha (backlog) de los endpoints que no la fijan.",
        "grace": "Segundos que un cierre ordenado espera las respuestas pendientes.",
        "max-line-length": "Mensaje más largo aceptado, en bytes.",
        "idle-timeout": "Cerrar a los clientes callados este tiempo, en segundos; 0 lo desactiva. "
        "Por defecto: desactivado{idle}.",
        "max-connections": "Máximo de clientes a la vez{held}. Por defecto: lo que permite el "
        "límite de archivos abiertos.",
        "max-per-ip": "Máximo de clientes a la vez desde una misma dirección; 0 es sin límite.",
        "workers": "Procesos que comparten los sockets de escucha{inModes}; 0 es uno por núcleo, 1 un solo proceso. "
        "Con más, --max-connections (si se da) y --max-per-ip cuentan los clientes de todo el servidor.",
        "worker-timeout": "Con --workers: segundos que un proceso trabajador puede pasar sin responder al proceso "
        "principal antes de que se lo mate (SIGKILL) y se inicie otro; 0: nunca se lo mata.",
        "trusted-proxies": "Direcciones y redes (CIDR, IPv4 o IPv6, separadas por comas) cuya cabecera PROXY se cree "
        "en los endpoints haproxy:; una conexión de cualquier otra se cierra. Por defecto: 127.0.0.0/8 y ::1; "
        "los sockets unix, siempre.",
        "listen": "Escuchar en este endpoint (se puede repetir).",
        "port": "Escuchar en este puerto TCP de 127.0.0.1 (abreviatura de --listen tcp:PUERTO:interface=127.0.0.1).",
        "status": "Servir una página de estado en vivo, /status.json, /metrics y /healthz en este endpoint (un puerto solo: en 127.0.0.1; un socket unix: solo para su dueño). Por omisión: desactivado.",
        "status-max-connections": "Máximo de conexiones HTTP a la vez a la página de estado; cuentan en el mismo límite de archivos abiertos que los clientes.",
        "status-host": "Otro nombre (cabecera Host) con que se llega a la página de estado (se puede repetir); además de su dirección y, en loopback, localhost.",
        "status-auth": "Pedir usuario y contraseña (HTTP Basic) para todo menos /healthz, contra este archivo de htpasswd -B.",
        "help": "Mostrar esta ayuda y salir.",
        "version": "Mostrar la versión de Twisted y salir.",
    },
    modeSummaries={
        "reactor": "concurrencia real: todos los clientes a la vez, el trabajo en un grupo de hilos (--threads)",
        "serial": "concurrencia aparente: un cliente a la vez, los demás esperan su turno; el trabajo bloquea",
        "processes": "paralelismo real: el trabajo en un grupo de procesos (--processes), para trabajo de CPU",
    },
    inModes=" en modo {modes}",
    orWord=" o ",
    heldModes=" (modo {modes}: atendidos más retenidos)",

    # The client (tpreactor-client).
    client=ClientTexts(
        connecting="Conectando a {host} puerto {port}",
        connectingTo="Conectando a {host}",
        prompt="Mensaje para el servidor: ",
        closing="Cerrando conexión con el servidor...",
        serverClosed="La conexión con el servidor se cerró.",
        closingSocket="Cerrando socket",
        target="{host} puerto {port}",
        cannotConnect="No se pudo conectar a {target}: {reason}.",
        refused="conexión rechazada (¿está el servidor en marcha?)",
        noSocket="no hay ningún socket en esa ruta (¿está el servidor en marcha?)",
        unknownHost="host desconocido",
        timedOut="sin respuesta en {seconds:g} s",
        connectionFailed="La conexión falló: {reason}",
    ),
    clientDescription=(
        "Conversa con un servidor tpreactor: cada línea que escribes se envía, y la "
        "respuesta se muestra antes del siguiente aviso; `salir` o Ctrl+D termina la "
        "sesión. Si la entrada estándar no es un terminal, se envía cada línea por "
        "turno y la sesión termina al final de la entrada."
    ),
    clientHelp={
        "host": "nombre o dirección del servidor (por defecto {host})",
        "port": "puerto del servidor (por defecto {port})",
        "connect": "cualquier endpoint de cliente de Twisted en lugar de HOST PUERTO, p. ej. "
        "tcp6:\\:\\:1:6667, unix:/tmp/tp.sock, tls:example.org:6697",
        "timeout": "cuánto puede tardar la conexión (por defecto %(default)g); la espera "
        "de la bienvenida, p. ej. en la cola de un servidor serial, no cuenta",
        "lang": "idioma de los textos del propio cliente (por defecto %(default)s)",
        "help": "mostrar esta ayuda y salir",
    },
    clientExitStatuses=(
        "código de salida:\n"
        "  {ok:<4} la sesión terminó con salir, Ctrl+D o el final de la entrada\n"
        "  {serverClosed:<4} el servidor cerró la conexión primero\n"
        "  {badArguments:<4} argumentos incorrectos\n"
        "  {refused:<4} conexión rechazada (nadie escucha ahí)\n"
        "  {unknownHost:<4} host desconocido\n"
        "  {timedOut:<4} sin conexión dentro de --timeout\n"
        "  {cannotConnect:<4} cualquier otro fallo al conectar (también un handshake TLS)\n"
        "  {interrupted:<4} Ctrl+C (antes se envía salir); {terminated} con SIGTERM\n"
    ),
    clientUsage="uso: ",
    clientPositionals="argumentos posicionales",
    clientOptionals="opciones",
    clientSeconds="SEGUNDOS",
    clientError="{prog}: error: {message}",
    clientBadPort="puerto no válido {value} (1-65535)",
    clientBadSeconds="número de segundos no válido {value}",
    clientNotBoth="da HOST [PUERTO] o --connect, no los dos",
    clientTcp6="tcp6 lleva HOST:PUERTO y, si quieres, timeout=SEGUNDOS",
    clientNeedsPackage=(
        "el endpoint {description} necesita un paquete que no está instalado ({package}); "
        "instala tpreactor[tls]"
    ),
    argparseErrors={
        "invalidChoice": "argumento {argument}: valor no válido: {value} (elige entre {choices})",
        "expectedOne": "el argumento {argument} necesita un valor",
        "argument": "argumento {argument}: {message}",
        "unrecognized": "argumentos no reconocidos: {args}",
    },
    workerReady="[w{worker}] Proceso trabajador listo (pid {pid}).",
    workerDied="[w{worker}] El proceso trabajador (pid {pid}) terminó inesperadamente ({cause}) con {clients}; "
    "se inicia otro.",
    workerDiedSoon="[w{worker}] El proceso trabajador (pid {pid}) terminó inesperadamente ({cause}) con {clients}, "
    "{ran:g} s después de empezar; se inicia otro en {seconds:g} s.",
    workerNotStarted="[w{worker}] No se pudo iniciar el proceso trabajador ({reason}); se vuelve a intentar en "
    "{seconds:g} s.",
    workerSilent="[w{worker}] El proceso trabajador (pid {pid}) no responde desde hace {seconds:g} s, con {clients}: "
    "se lo mata (SIGKILL){then}.",
    clientsCount={"one": "{count} cliente", "other": "{count} clientes"},
    startingAnother=" y se inicia otro",
    workerKilledLate="[w{worker}] El proceso trabajador (pid {pid}) no terminó su cierre en {seconds:g} s: "
    "se lo mata (SIGKILL).",
    workerNoAnswer="[w{worker}] El proceso trabajador (pid {pid}) no respondió: esta respuesta no incluye a sus "
    "clientes ({clients} la última vez).",
    epollShared="{address} se vigila sin EPOLLEXCLUSIVE ({reason}): cada conexión despierta a todos los procesos "
    "trabajadores.",
    workersCannotShare="--workers no puede compartir {description}: los endpoints {kind} no son sockets de "
    "flujo simples (usa tcp, tcp6 o unix, con haproxy: encima)",
    noWorkers="El modo {mode} no admite --workers mayor que 1: la concurrencia aparente atiende a un cliente a la vez.",

    # The Ctrl+C question (exact, from the contract).
    question="Se ha detectado una interrupción. ¿Qué acción deseas tomar?",
    options=(
        "1. Cerrar solo el socket del servidor.",
        "2. Cerrar todas las conexiones activas y luego cerrar el socket del servidor.",
        "3. Salir sin cerrar nada.",
    ),
    prompt="Selecciona una opción: ",
    resumed="Se continúa atendiendo.",

    # The operator's commands.
    ready="Consola del operador: escribe ayuda para ver las órdenes; Ctrl+C para cerrar el servidor.",
    listHeader="Conexiones activas: {active}",
    listWaiting=", en espera: {waiting}",
    clientLine="{peer}  conectado el {date} (hace {ago}), mensajes: {messages}",
    pendingNote=" (sin responder: {pending})",
    waitingLine="{peer}  en espera de su turno",
    queuedLine="{count} más en espera de su turno en la cola del kernel (aún sin aceptar: su dirección no se conoce)",
    kicking="Desconectando a {peer}.",
    unknownPeer="No hay ningún cliente conectado desde {peer}.",
    kickUsage="Uso: desconectar IP:PUERTO (la dirección tal como la muestra clientes).",
    unknownCommand="Orden desconocida: {command}. Escribe ayuda para ver las órdenes.",
    help=(
        "Órdenes:\n"
        "  clientes (o list)                lista las conexiones activas\n"
        "  desconectar IP:PUERTO (o kick)   cierra esa conexión con aviso\n"
        "  ayuda (o help)                   esta lista\n"
        "Ctrl+C: preguntar cómo cerrar el servidor."
    ),

    # Shutdown steps, logged.
    socketClosed="Socket del servidor cerrado.",
    allClosed="Todas las conexiones activas han sido cerradas.",
    waitingClosed="Clientes en espera cerrados sin bienvenida: {count}.",
    backlogReset="Conexiones en la cola del kernel rechazadas al cerrar el socket: {count}.",
    draining="Se sigue atendiendo a los clientes conectados ({count}); el servidor termina cuando salga el último.",
    lastLeft="No queda ningún cliente: el servidor termina.",
    shutdownStarted=(
        "Cierre ordenado: no se aceptan conexiones nuevas. Conexiones abiertas: {open} "
        "(en espera: {waiting}); mensajes sin responder: {pending}; tiempo de gracia: {grace} s."
    ),
    shutdownDone="Cierre ordenado: mensajes respondidos: {answered}; conexiones cerradas: {closed}; cortadas: {cut}.",
    graceOver={
        "one": "Tiempo de gracia agotado ({grace} s): se cierra de inmediato {count} conexión; "
        "sin sus respuestas: {peers}.",
        "other": "Tiempo de gracia agotado ({grace} s): se cierran de inmediato {count} conexiones; "
        "sin sus respuestas: {peers}.",
    },
    cutShort={
        "one": "Cierre acelerado por el operador: se cierra de inmediato {count} conexión; sin sus respuestas: {peers}.",
        "other": "Cierre acelerado por el operador: se cierran de inmediato {count} conexiones; "
        "sin sus respuestas: {peers}.",
    },
    aborted="Conexiones abortadas porque no leían el aviso de cierre: {count}.",
    poolStopping="Deteniendo el grupo de trabajo.",
    poolStopped="Grupo de trabajo detenido.",
    poolAbandoned="El grupo de trabajo no se detuvo en {seconds} s: se abandona el trabajo que seguía en curso.",
    poolStopFailed="El grupo de trabajo falló al detenerse: {cause}.",
    signalled="Señal {signal} recibida: cierre ordenado.",
    signalledDuringStop="Señal {signal} durante el cierre: las conexiones se cierran de inmediato.",
    hangupDuringStop="Señal {signal} durante el cierre: el cierre ordenado sigue su curso.",
    secondInterrupt="Segundo Ctrl+C con la pregunta abierta: opción 2.",
    exitingNow="Saliendo sin cerrar nada.",
    exitStatus="Código de salida: {code}.",
    alreadyClosed="El socket del servidor ya está cerrado.",
    terminalLost="Consola: no se puede volver a abrir el terminal; desde ahora Ctrl+C cierra el servidor sin preguntar.",
    # The status endpoint (--status).
    statusListening="Página de estado: {url}",
    statusExposed="Atención: la página de estado en {address} se ve desde otras máquinas y sin --status-auth: "
    "quien llegue a ella ve las direcciones de los clientes y sus mensajes.",
    statusNeeded="{option} necesita --status",
    authErrors={
        "unreadable": "--status-auth: no se puede leer {path}: {reason}",
        "badLine": "--status-auth: la línea {line} de {path} no es usuario:hash",
        "notBcrypt": "--status-auth: la línea {line} de {path} no es un hash bcrypt (créalo con htpasswd -B)",
        "empty": "--status-auth: {path} no tiene ningún usuario",
    },
    portRange="el puerto debe estar entre 0 y 65535",
    statusPage={
        "title": "Estado de tpreactor",
        "offline": "El servidor no responde.",
        "serving": "atendiendo",
        "stopping": "deteniéndose",
        "mode": "Modo",
        "listening": "Escucha en",
        "uptime": "En marcha desde hace",
        "clients": "Clientes atendidos",
        "waiting": "Esperando su turno",
        "numbers": "Carga",
        "rate": "Mensajes por segundo",
        "p50": "Tiempo de respuesta p50 (último minuto)",
        "p99": "Tiempo de respuesta p99 (último minuto)",
        "messages": "Mensajes respondidos",
        "refusals": "Rechazadas",
        "pool": "Pool",
        "since": "desde las {time}",
        "messagesCount": {"one": "{count} mensaje", "other": "{count} mensajes"},
        "waitingFor": "aceptado hace {time}",
        "backlog": "En la cola del kernel, aún sin aceptar: {count}",
        "inline": "el hilo del reactor",
        "inlineWorkers": "el hilo del reactor de cada uno de los {count} procesos trabajadores",
        "poolBusy": "{busy} de {size} ocupados; {queued} en espera",
        "timeline": "Quién fue atendido cuándo (último minuto)",
        "waitingTurn": "esperando su turno",
        "servedLegend": "atendido",
        "workLegend": "trabajando en un mensaje",
        "now": "ahora",
    },
)
