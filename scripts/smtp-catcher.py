#!/usr/bin/python3
# smtp-catcher.py — a local SMTP server (aiosmtpd) for development and tests: every message
# it receives is written as one .eml file under the given folder; nothing leaves the machine.
import argparse
import asyncio
import os
import signal
import time

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "%d-%06d.eml" % (int(time.time() * 1000), self.count)
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.folder, name))  # readers never see half a message
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    ctl = Controller(SaveToFolder(args.dir), hostname=args.host, port=args.port)
    ctl.start()
    stop = asyncio.new_event_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: stop.call_soon_threadsafe(stop.stop))
    stop.run_forever()
    ctl.stop()


if __name__ == "__main__":
    main()
