"""Stands in for systemd's notify socket: binds a unix datagram socket at PATH and appends each
datagram to OUT as one line, its own lines joined by ' | '. Runs until killed.

usage: notify_listen.py PATH OUT
"""
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        data = s.recv(65536).decode("utf-8")
        f.write(" | ".join(data.split("\n")) + "\n")
