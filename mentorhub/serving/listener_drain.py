"""gunicorn hooks that let a stopping server answer every connection it had already accepted.

A listening socket holds connections the kernel accepted but no worker has taken yet. Closing
it resets them, and the client (nginx) has already sent its request on each: nginx retries
a reset GET on another server, but never a POST. So on SIGTERM the master first makes the
listener drop new handshakes (a socket filter that discards SYN packets: clients retry the
SYN and then find the port closed, which a load balancer treats as "try another server",
request not sent); each worker then finishes its request, serves whatever is still queued, and
exits, and only then does the socket close, with nothing left in it.

Linux only (SO_ATTACH_FILTER); elsewhere the server stops as gunicorn always has.
"""

from __future__ import annotations

import ctypes
import errno
import signal
import socket
import struct
import sys
import time

SO_ATTACH_FILTER = 26
# Classic BPF, run on each TCP segment for the listener (offset 0 is the TCP header): load the
# flags byte; a SYN is dropped, anything else (the last ACK of a handshake already under
# way) is kept whole.
DROP_SYN_PROGRAM = (
    (0x30, 0, 0, 13),  # ldb [13]
    (0x45, 0, 1, 0x02),  # jset #SYN, drop, keep
    (0x06, 0, 0, 0),  # drop: ret #0
    (0x06, 0, 0, 0xFFFFFFFF),  # keep: ret #-1
)
# A handshake the filter let finish lands in the queue within a round trip; look once more.
SETTLE_SECONDS = 0.05
_quick_exit = False


def drop_new_handshakes(listener: socket.socket) -> bool:
    """Make `listener` drop new handshakes while keeping the queue it has; False if unsupported."""
    if not sys.platform.startswith("linux") or listener.family not in (
        socket.AF_INET,
        socket.AF_INET6,
    ):
        return False
    code = b"".join(struct.pack("HBBI", *instruction) for instruction in DROP_SYN_PROGRAM)
    program = ctypes.create_string_buffer(code, len(code))
    # struct sock_fprog: the instruction count and a pointer to the instructions.
    fprog = struct.pack("HP", len(DROP_SYN_PROGRAM), ctypes.addressof(program))
    try:
        listener.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    except OSError:
        return False
    return True


def install_master_hook(server) -> None:
    """On SIGTERM, before gunicorn's own handling, stop the listeners taking new connections.

    Only when this master is the sockets' sole owner, the same test gunicorn applies before
    removing a unix socket: not during a USR2 binary upgrade (the new master shares them),
    not with systemd socket activation, not with one socket per worker (reuse_port).
    """
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame) -> None:
        sole_owner = (
            server.reexec_pid == server.master_pid == 0
            and not server.systemd
            and not server.cfg.reuse_port
        )
        if sole_owner:
            for listener in server.LISTENERS:
                drop_new_handshakes(listener.sock)
        # gunicorn's handler only queues the signal for its main loop; no logging in here.
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_term)


def note_quick_exit(worker) -> None:
    """SIGINT, SIGQUIT or a timeout abort: this worker exits without serving the queue."""
    global _quick_exit
    _quick_exit = True


def serve_queued_connections(worker) -> int:
    """In a worker that stops gracefully, serve the connections still queued; return how many."""
    if _quick_exit or not worker.booted or not hasattr(worker, "accept"):
        return 0
    served = 0
    deadline = time.monotonic() + worker.cfg.graceful_timeout
    for listener in worker.sockets:
        listener.setblocking(False)
        for attempt in range(2):
            served += _accept_until_empty(worker, listener, deadline)
            if attempt == 0:
                time.sleep(SETTLE_SECONDS)
    if served:
        worker.log.info("Served %d queued connection(s) before exiting", served)
    return served


def _accept_until_empty(worker, listener, deadline: float) -> int:
    served = 0
    # No heartbeat to send: gunicorn has closed it before calling worker_exit, and the master
    # gives a stopping worker its graceful timeout, which `deadline` keeps to.
    while time.monotonic() < deadline:
        try:
            worker.accept(listener)
        except OSError as error:
            if error.errno == errno.ECONNABORTED:
                continue
            if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                return served
            raise
        served += 1
    return served
