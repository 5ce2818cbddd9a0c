"""A headless Chromium driven over the DevTools protocol, with nothing but
Python's standard library: a minimal WebSocket client (RFC 6455, text
frames, client masking) and the few protocol calls the web viewer's test
needs.  Runs on a fresh Debian 12 with the `chromium` package.
"""
import base64
import http.client
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
    "--disable-crash-reporter", "--no-default-browser-check",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
    "--window-size=1400,1000", "--hide-scrollbars", "--mute-audio",
]


class WebSocket:
    """Just enough WebSocket for the DevTools endpoint on loopback."""

    def __init__(self, url, timeout=30):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("websocket handshake: closed")
            head += chunk
        head, self.pending = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError("websocket handshake: " + head[:80].decode())

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(hdr + mask + body)

    def _read(self, n):
        while len(self.pending) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("websocket closed")
            self.pending += chunk
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def readable(self, timeout):
        if self.pending:
            return True
        r, _, _ = select.select([self.sock], [], [], timeout)
        return bool(r)

    def recv(self):
        """One whole message (text), answering pings on the way."""
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            op = b0 & 0x0F
            if op == 0x9:  # ping
                self.sock.sendall(struct.pack("!BB", 0x8A, 0x80 | len(data))
                                  + b"\0\0\0\0" + data)
                continue
            if op == 0x8:
                raise ConnectionError("websocket closed by peer")
            message += data
            if b0 & 0x80:
                return message.decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Browser:
    """A headless Chromium with one page, closed by close()."""

    def __init__(self, binary=None):
        self.binary = binary or shutil.which("chromium") or "chromium"
        self.profile = tempfile.mkdtemp(prefix="vigil-chromium.")
        # everything the browser writes stays in its temporary profile
        env = dict(os.environ, HOME=self.profile,
                   XDG_CONFIG_HOME=os.path.join(self.profile, "config"),
                   XDG_CACHE_HOME=os.path.join(self.profile, "cache"))
        self.proc = subprocess.Popen(
            [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.ws = None
        try:
            port = self._devtools_port()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("PUT", "/json/new?about:blank")
            target = json.loads(conn.getresponse().read())
            conn.close()
            self.ws = WebSocket(target["webSocketDebuggerUrl"])
            self.next_id = 0
            self.events = []
            self.call("Page.enable")
            self.call("Runtime.enable")
        except BaseException:
            self.close()  # a browser that never came up is not left behind
            raise

    def _devtools_port(self):
        # A cold start on a loaded 2-core machine has taken over 15 s.
        path = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(1200):
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited at start-up")
            try:
                with open(path) as f:
                    return int(f.readline())
            except (OSError, ValueError):
                time.sleep(0.05)
        raise RuntimeError("chromium did not open its DevTools port")

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method,
                                 "params": params or {}}))
        end = time.time() + timeout
        while time.time() < end:
            if not self.ws.readable(max(0.0, end - time.time())):
                break
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def pump(self, seconds=0.0):
        """Collect protocol events for a while."""
        end = time.time() + seconds
        while True:
            left = end - time.time()
            if not self.ws.readable(max(0.0, left)):
                return
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr,
                                           "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate {expr!r}: "
                               f"{r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    def wait(self, expr, timeout=10.0):
        """Until expr is truthy in the page; its value, or None."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                v = self.eval(expr)
            except RuntimeError:
                v = None
            if v:
                return v
            time.sleep(0.1)
        return None

    def navigate(self, url):
        self.call("Page.navigate", {"url": url})
        self.wait("document.readyState === 'complete'")

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", {"format": "png"})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def click_at(self, x, y, to_x=None):
        """A mouse press at (x, y), moved to (to_x, y), released."""
        self.call("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x,
                  "y": y, "button": "left", "clickCount": 1})
        if to_x is not None:
            for i in range(1, 6):
                self.call("Input.dispatchMouseEvent", {"type": "mouseMoved",
                          "x": x + (to_x - x) * i / 5, "y": y,
                          "button": "left"})
            x = to_x
        self.call("Input.dispatchMouseEvent", {"type": "mouseReleased",
                  "x": x, "y": y, "button": "left", "clickCount": 1})

    def close(self):
        try:
            if self.ws:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
