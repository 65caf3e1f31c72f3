#!/usr/bin/env python3
"""A throw-away RFC 3161 HTTP front for the registry's TSA, for tests: POST application/timestamp-query to
http://127.0.0.1:PORT/ and get application/timestamp-reply from `signet registry tsa respond`.

  tsa_server.py SIGNET_BIN   (SIGNET_REGISTRY and SIGNET_PASSPHRASE in the environment)
Prints the port on the first line, serves until stdin closes or 120 s pass.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import threading

SIGNET = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.headers.get("Content-Type") != "application/timestamp-query" or not 0 < length <= 65536:
            self.send_error(400)
            return
        body = self.rfile.read(length)
        with tempfile.TemporaryDirectory() as d:
            req, resp = os.path.join(d, "q.tsq"), os.path.join(d, "r.tsr")
            open(req, "wb").write(body)
            r = subprocess.run([SIGNET, "registry", "tsa", "respond", req, "-o", resp], capture_output=True)
            if r.returncode != 0:
                self.send_error(500)
                return
            reply = open(resp, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
threading.Event().wait(120)
