"""
The contract's texts (../shared/protocol.md) as the tests look for them, in
Spanish, the server's default language: what a line starts with where the
rest varies (the date, the elapsed time), whole where it does not.
"""

import re

#: On the wire.
WELCOME = "Servidor: Conexión establecida el"
REPLY = "Mensaje Recibido el"
GOODBYE = "Servidor: Conexión finalizada. Tiempo total de conexión: "
CLOSED = "Servidor: El servidor cerró la conexión."
FULL = "Servidor: Servidor lleno, intente más tarde."
ERROR = "Servidor: Error interno al procesar el mensaje."

#: In memory, where the wall clock starts at 13 May, 15:15 (see tests.memory).
DATED_WELCOME = WELCOME + " 13 de mayo a las 15:15 hs. Puedes enviar mensajes al servidor."
DATED_REPLY = REPLY + " 13 de mayo a las 15:15 hs. Tiempo transcurrido desde la conexión: "


def tooLong(limit):
    """
    The refusal of a message longer than C{limit} bytes.
    """
    return f"Servidor: Error: mensaje demasiado largo (máximo {limit} bytes)."


#: On the operator's terminal.
PROMPT = "Selecciona una opción: "
QUESTION = (
    "Se ha detectado una interrupción. ¿Qué acción deseas tomar?\r\n"
    "1. Cerrar solo el socket del servidor.\r\n"
    "2. Cerrar todas las conexiones activas y luego cerrar el socket del servidor.\r\n"
    "3. Salir sin cerrar nada.\r\n"
    "\r\n"
    "Selecciona una opción: "
)
SOCKET_CLOSED = "Socket del servidor cerrado."
ALL_CLOSED = "Todas las conexiones activas han sido cerradas."
READY = re.compile("Consola del operador|Operator console")
