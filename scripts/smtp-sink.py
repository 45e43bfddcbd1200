#!/usr/bin/env python3
"""A local SMTP server for tests and benchmarks: accepts every message and keeps it.

Listens on 127.0.0.1:PORT (0: a free port, written to --ready once listening) with
aiosmtpd (from PyPI: run it with the Python of a virtual environment that has it; see
scripts/e2e-smtp) and appends each message to a JSON Lines file, one line per message:

    {"n": 1, "at": 1765000000.123, "mail_from": "bounces+…@…", "rcpt_tos": ["a@example.org"],
     "size": 4321, "data": "<the raw message, base64>"}

Each line is written with one write() on a file opened for appending and flushed before the
server answers 250, so a message the sender was told is accepted is in the file, whole, even
if the sink is killed. With --envelope-only the raw message is not kept (its size is), for a
benchmark's hundred thousand messages. Runs until killed; on SIGTERM or SIGINT it prints how
many messages it took and over how long to standard error, and exits 0.

With --delay-file PATH, while that file exists and holds a number of milliseconds, each
message is held that long before the 250 (a slow relay: a crash test kills its sender while
messages are still being handed over).

    smtp-sink.py --port 0 --ready /tmp/sink.port --out /tmp/sink.jsonl [--envelope-only] [--delay-file F]
"""

import argparse
import asyncio
import base64
import json
import logging
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    """The aiosmtpd handler: every envelope appended to the file, then 250."""

    def __init__(self, fd, keep_data, delay_file=None):
        self.fd = fd
        self.keep_data = keep_data
        self.delay_file = delay_file
        self.count = 0
        self.first = None
        self.last = None

    def delay(self):
        """Seconds to hold each message, from the delay file (none while it is absent)."""
        if not self.delay_file:
            return 0.0
        try:
            with open(self.delay_file) as f:
                return max(0.0, float(f.read().strip() or 0) / 1000)
        except (FileNotFoundError, ValueError):
            return 0.0

    async def handle_DATA(self, server, session, envelope):
        held = self.delay()
        if held:
            await asyncio.sleep(held)
        now = time.time()
        self.count += 1
        if self.first is None:
            self.first = now
        self.last = now
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        record = {
            "n": self.count,
            "at": round(now, 6),
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "size": len(content),
        }
        if self.keep_data:
            record["data"] = base64.b64encode(content).decode("ascii")
        os.write(self.fd, (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8"))
        return "250 2.0.0 Accepted"


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--out", required=True, help="JSON Lines file the messages are appended to")
    parser.add_argument("--ready", help="file to write the port to once listening")
    parser.add_argument("--envelope-only", action="store_true", help="keep envelopes and sizes, not the messages")
    parser.add_argument("--delay-file", help="while this file holds a number, hold each message that many ms")
    args = parser.parse_args()

    # aiosmtpd logs every connection at INFO; only problems matter here.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sink = Sink(fd, keep_data=not args.envelope_only, delay_file=args.delay_file)
    loop = asyncio.get_running_loop()
    # A fixed host name: without one aiosmtpd looks up the machine's name for every connection.
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="smtp-sink.localhost", ident="guildhall smtp-sink", loop=loop),
        host="127.0.0.1",
        port=args.port,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    if args.ready:
        tmp = args.ready + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.ready)
    print(f"smtp-sink: listening on 127.0.0.1:{port}, writing {args.out}", file=sys.stderr, flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    os.close(fd)
    span = (sink.last - sink.first) if sink.count > 1 else 0.0
    rate = f", {(sink.count - 1) / span:.0f} messages/s between the first and the last" if span > 0 else ""
    print(f"smtp-sink: took {sink.count} messages over {span:.1f} s{rate}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
