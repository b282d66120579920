"""Holds many idle HTTP/1.1 keep-alive connections to a server, for server/tests/faults.rs.

`python3 idle_connections.py HOST:PORT COUNT`: opens COUNT connections, sends one
`GET /v2/health/live` on each and reads the answer (so each is an established keep-alive
connection the server has served), prints `held COUNT`, then keeps them open until stdin closes.
Runs as its own process, so the server's file descriptors and the client's are counted apart.
"""

import socket
import sys


def main() -> None:
    host, port = sys.argv[1].rsplit(":", 1)
    count = int(sys.argv[2])
    request = f"GET /v2/health/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    held = []
    for _ in range(count):
        s = socket.create_connection((host, int(port)), timeout=30)
        s.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            chunk = s.recv(4096)
            if not chunk:
                raise SystemExit(f"closed after {len(held)} connections: {answer!r}")
            answer += chunk
        if not answer.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"unexpected answer: {answer!r}")
        held.append(s)
    print(f"held {len(held)}", flush=True)
    sys.stdin.read()
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
