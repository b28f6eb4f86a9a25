"""A free local port for a server a test starts (a cluster, a stand-in, the app).

Taken below Linux's ephemeral ports (32768 and up), as scripts/pg.sh takes the checkout's: a port the kernel may hand
to some client's connection can be held in TIME-WAIT when a server comes back to it (a restarted cluster), and it
then cannot listen ("Address already in use")."""

import random
import socket

LOW, HIGH = 26000, 32767  # above scripts/pg.sh's checkout ports (25432-25931), below the ephemeral ones


def free_port() -> int:
    for _ in range(200):
        port = random.randint(LOW, HIGH)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {LOW} and {HIGH}")
