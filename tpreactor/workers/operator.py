# -*- test-case-name: tests.test_workers_server -*-
"""
The operator's console and control over every worker: C{clientes} asks each
worker for its clients and C{desconectar} asks each for the client named,
answering within about a second with what the workers said and a line for
each that did not; option 3 ends the workers at once.
"""

from ..console import Console
from ..shutdown import Operator
from ..text import escape
from .commands import Kick, ListClients
from .supervisor import ANSWER_SECONDS


def workerNote(number):
    """
    What a console answer about a worker's client ends with.
    """
    return f"  [w{number}]"


class WorkersConsole(Console):
    """
    The console of L{Console}, its commands answered by the workers.

    @ivar factory: the L{tpreactor.workers.server.MainView}.
    """

    def listClients(self, argument=""):
        """
        C{clientes}: every worker's clients, in the order of the workers.
        """
        d = self.factory.workers.ask(ListClients, ANSWER_SECONDS)
        d.addCallback(self._listed)
        return d

    def _listed(self, answers):
        t = self.catalogue
        lines = [t.listHeader.format(active=sum(a["served"] for _, a in answers.answered))]
        for number, answer in answers.answered:
            lines.extend(line + workerNote(number) for line in answer["lines"])
        lines.extend(self._silent(answers))
        self.say("\n".join(lines))

    def _silent(self, answers):
        """
        A line for each worker that did not answer.
        """
        return [self.catalogue.workerNoAnswer.format(worker=number, pid=pid, seconds=ANSWER_SECONDS)
                for number, pid in answers.silent]

    def kick(self, argument=""):
        """
        C{desconectar IP:PUERTO}: the worker that has that client closes it.
        """
        if not argument:
            self.say(self.catalogue.kickUsage)
            return None
        d = self.factory.workers.ask(Kick, ANSWER_SECONDS, peer=argument)
        d.addCallback(self._kicked, argument)
        return d

    def _kicked(self, answers, argument):
        found = [(n, a["peer"]) for n, a in answers.answered if a["peer"]]
        if not found:
            self.say(self.catalogue.unknownPeer.format(peer=escape(argument)))
        for number, peer in found:
            self.say(self.catalogue.kicking.format(peer=peer) + workerNote(number))
        for line in self._silent(answers):
            self.say(line)


class WorkersOperator(Operator):
    """
    The operator's control of L{Operator}, over a
    L{tpreactor.workers.server.WorkersServer}: its console asks the workers,
    and option 3 kills them (a worker told to stop would close its clients).
    """

    consoleClass = WorkersConsole

    def __init__(self, server, reactor, **kwargs):
        kwargs.setdefault("endWorkers", server.workers.killAll)
        Operator.__init__(self, server, reactor, **kwargs)
