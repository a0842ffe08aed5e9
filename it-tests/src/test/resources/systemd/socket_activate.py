"""Starts a command the way systemd's socket activation does: the listening socket at fd 3,
LISTEN_FDS=1 and LISTEN_PID set to the pid the command runs as (exec keeps it).

usage: socket_activate.py tcp HOST PORT -- CMD ARGS...
       socket_activate.py unix PATH -- CMD ARGS...
"""
import os
import socket
import sys

args = sys.argv[1:]
sep = args.index("--")
spec, cmd = args[:sep], args[sep + 1:]
if spec[0] == "tcp":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((spec[1], int(spec[2])))
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(spec[1])
s.listen(128)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execvp(cmd[0], cmd)
