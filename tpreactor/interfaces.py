# -*- test-case-name: tests.test_work -*-
"""
The interface between a session and the executor that runs its messages'
work: L{IExecutor}.
"""

from zope.interface import Attribute, Interface


class IExecutor(Interface):
    """
    Runs the work a message costs, in the reactor thread or in a pool.

    A session asks C{inline} first. An inline executor runs each message
    with L{runInline}; any other is told with L{ready} that the session has
    messages waiting, and then calls the session back:
    C{protocol.takeBatch(limit)} (a list of up to C{limit} message texts
    from the head of its queue, empty when it has none left) and, once the
    work for that batch is done, in the reactor thread,
    C{protocol.batchDone(outcomes)}, one outcome per text: C{None}, or the
    one-line description of the failure. A session has at most one batch
    in flight, so its replies keep their order.

    An executor that owns a pool is also an
    L{twisted.application.service.IService}: the pool starts and stops with
    it.
    """

    inline = Attribute("C{True} when the work runs in the reactor thread, through L{runInline}.")

    trivial = Attribute(
        "C{True} when there is no work at all: a session may answer at once, "
        "without asking the executor."
    )

    idle = Attribute("C{True} when no work is running or waiting for a slot in the pool.")

    def load():
        """
        How busy the executor is, for the status page: a dict with C{kind}
        (C{"inline"}, C{"threads"} or C{"processes"}), C{size} (its slots),
        C{busy} (the slots at work) and C{queued} (the sessions waiting for a
        slot).
        """

    def runInline(text):
        """
        Run the work for one message in the calling thread.

        @param text: the message, decoded.
        @return: C{None}, or the one-line description of the failure.
        """

    def ready(protocol):
        """
        C{protocol} has messages waiting: take a batch from it with
        C{takeBatch(limit)} when a slot is free, and hand the outcomes back
        with C{batchDone(outcomes)} in the reactor thread.
        """

    def abandon():
        """
        The work still running will not be waited for (the grace period is
        over, or the operator chose to stop at once): release what can be
        released now.
        """
