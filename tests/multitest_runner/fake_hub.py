"""Stands in for `aioble-hci air --socket PATH` in runner tests: listens on PATH until terminated."""

import signal
import socket
import sys

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()
