"""The benchmark's monitors: N asyncio connections, each sending a frame and waiting for its ACK.

Runs in its own process (no Django): `python bench/mllp_client.py JOB` reads the pickled job and writes (messages acknowledged, seconds, ACK latencies in seconds, codes seen).
"""

import asyncio
import pickle
import sys
import time

START, END = b"\x0b", b"\x1c\r"


async def _sender(host: str, port: int, frames: list[bytes], deadline: float, pace_s: float, out: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    buffer, sent_at = b"", time.perf_counter()
    try:
        for n, message in enumerate(frames):
            if pace_s:
                due = out["t0"] + n * pace_s
                if due > time.perf_counter():
                    await asyncio.sleep(due - time.perf_counter())
            if time.perf_counter() >= deadline:
                break
            sent_at = time.perf_counter()
            writer.write(message)
            while END not in buffer:
                chunk = await reader.read(65536)
                if not chunk:
                    raise ConnectionError("closed by the server")
                buffer += chunk
            ack, buffer = buffer.split(END, 1)
            out["latencies"].append(time.perf_counter() - sent_at)
            code = ack.split(b"MSA|", 1)[1][:2] if b"MSA|" in ack else b"??"
            out["codes"][code] = out["codes"].get(code, 0) + 1
    finally:
        writer.close()


async def _main(host: str, port: int, per_sender: list[list[bytes]], seconds: float, pace_s: float) -> dict:
    out: dict = {"latencies": [], "codes": {}, "t0": time.perf_counter()}
    deadline = out["t0"] + seconds
    await asyncio.gather(*(_sender(host, port, frames, deadline, pace_s, out) for frames in per_sender))
    out["elapsed"] = time.perf_counter() - out["t0"]
    return out


def main(job_path: str) -> None:
    """Run the job pickled at job_path and pickle (count, elapsed, latencies, codes) next to it."""
    with open(job_path, "rb") as job:
        host, port, per_sender, seconds, pace_s = pickle.load(job)  # noqa: S301 - our own file
    out = asyncio.run(_main(host, port, per_sender, seconds, pace_s))
    codes = {k.decode(): v for k, v in out["codes"].items()}
    with open(job_path + ".out", "wb") as result:
        pickle.dump((len(out["latencies"]), out["elapsed"], out["latencies"], codes), result)


if __name__ == "__main__":
    main(sys.argv[1])
