# -*- test-case-name: tests.test_messages -*-
"""
Every text in Spanish, letter for letter as the contract writes it.
"""

from . import Catalogue

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
    workFailed="Error al procesar un mensaje de {peer}: {cause}",
    exposed="Atención: {address} acepta clientes de cualquier interfaz y sin --max-per-ip; "
    "un solo equipo puede ocupar todas las conexiones.",

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
    graceOver=(
        "Tiempo de gracia agotado ({grace} s): se cierran de inmediato {count} conexiones; "
        "sin sus respuestas: {peers}."
    ),
    cutShort="Cierre acelerado por el operador: se cierran de inmediato {count} conexiones; sin sus respuestas: {peers}.",
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
)
