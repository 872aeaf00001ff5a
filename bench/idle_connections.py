"""Holds N idle keep-alive HTTP connections open to HOST:PORT for SECONDS, then exits."""
import socket
import sys
import time

host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
conns = []
for _ in range(count):
    s = socket.create_connection((host, port))
    # One request each, so that the connection is a real keep-alive connection, then silence.
    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
    s.recv(4096)
    conns.append(s)
print(f"idle connections open: {len(conns)}", flush=True)
time.sleep(seconds)
for s in conns:
    s.close()
