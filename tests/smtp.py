"""A small, real SMTP server for tests, which can refuse or hang on demand.

Django's SMTP backend talks to it over a socket as it would to a real mail
server; ``mode`` decides what each new connection meets:

- ``accept``: a well-behaved server that keeps every message it is given;
- ``refuse``: "421 service not available", then the connection closes;
- ``hang``: the connection is accepted and never answered.
"""

import socketserver
import threading
from email import message_from_bytes, policy


class SmtpServer:
    def __init__(self, mode="accept"):
        self.mode = mode
        self.messages = []  # email.message.EmailMessage, in arrival order
        self.connections = 0
        self._stop = threading.Event()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self):
                server.connections += 1
                if server.mode == "hang":
                    server._stop.wait(30)
                    return
                if server.mode == "refuse":
                    self.wfile.write(b"421 test.invalid Service not available\r\n")
                    return
                self.wfile.write(b"220 test.invalid ESMTP\r\n")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.strip().upper()
                    if command.startswith((b"EHLO", b"HELO")):
                        self.wfile.write(b"250 test.invalid\r\n")
                    elif command.startswith((b"MAIL", b"RCPT", b"RSET", b"NOOP")):
                        self.wfile.write(b"250 OK\r\n")
                    elif command == b"DATA":
                        self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        server.messages.append(
                            message_from_bytes(self._data(), policy=policy.default)
                        )
                        self.wfile.write(b"250 OK: queued\r\n")
                    elif command == b"QUIT":
                        self.wfile.write(b"221 Bye\r\n")
                        return
                    else:
                        self.wfile.write(b"502 Command not implemented\r\n")

            def _data(self):
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                return b"".join(lines)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def subjects(self):
        return [str(message["Subject"]) for message in self.messages]
