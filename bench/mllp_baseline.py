"""The baseline: a minimal asyncio MLLP server, python-hl7 parsing, one SQLite row and commit per message.

The same durability as the listener (WAL, synchronous=FULL) so the figures compare like for like.
Runs in its own process: `python bench/mllp_baseline.py DB` prints its port, then serves until killed.
"""

import asyncio
import sqlite3
import sys

import hl7

START, END = b"\x0b", b"\x1c\r"


def serve(db_path: str) -> None:
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS message (sender TEXT, control_id TEXT, raw TEXT, UNIQUE (sender, control_id))")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = b""
        while chunk := await reader.read(65536):
            buffer += chunk
            while END in buffer:
                block, buffer = buffer.split(END, 1)
                text = block.lstrip(START).decode()
                message = hl7.parse(text)
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT OR IGNORE INTO message VALUES (?, ?, ?)",
                           (str(message.segment("MSH")[3]), str(message.segment("MSH")[10]), text))
                db.execute("COMMIT")
                writer.write(START + str(message.create_ack("AA")).encode() + END)
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(main())


if __name__ == "__main__":
    serve(sys.argv[1])
