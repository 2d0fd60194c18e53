#!/usr/bin/env python3
"""Signal latency: the median time from one partner sending a signal (POST) until the other
partner's open stream (server-sent events) carries it, beside the median /healthz round trip
on the same server, in one run. Standard library only.

Usage: signal_latency.py BASE SENDER_TOKEN RECEIVER_TOKEN SESSION_ID [COUNT [STREAM_BASE]]
With STREAM_BASE (another instance on the same database) the stream is opened there.
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse


def main():
    base, sender, receiver, session = sys.argv[1:5]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    stream_base = sys.argv[6] if len(sys.argv) > 6 else base

    def connect(to=base):
        url = urllib.parse.urlsplit(to)
        return http.client.HTTPConnection(url.hostname, url.port, timeout=10)

    stream = connect(stream_base)
    stream.request(
        "GET",
        f"/api/v1/sessions/{session}/stream",
        headers={"Authorization": f"Bearer {receiver}", "Accept": "text/event-stream"},
    )
    events = stream.getresponse()
    assert events.status == 200, events.status

    def next_signal():
        while True:
            line = events.readline()
            if not line:
                raise SystemExit("the stream ended")
            if line.startswith(b"data:") and b'"signal"' in line:
                return

    sending = connect()

    def send():
        sending.request(
            "POST",
            f"/api/v1/sessions/{session}/signals",
            body=json.dumps({"signal": "green"}),
            headers={"Authorization": f"Bearer {sender}", "Content-Type": "application/json"},
        )
        answer = sending.getresponse()
        answer.read()
        assert answer.status == 201, answer.status

    # One to warm up: the stream is open and caught up when it arrives.
    send()
    next_signal()
    signal_ms = []
    for _ in range(count):
        start = time.perf_counter()
        send()
        next_signal()
        signal_ms.append((time.perf_counter() - start) * 1000)

    health = connect()
    health_ms = []
    for _ in range(count):
        start = time.perf_counter()
        health.request("GET", "/healthz")
        health.getresponse().read()
        health_ms.append((time.perf_counter() - start) * 1000)

    signal, healthz = statistics.median(signal_ms), statistics.median(health_ms)
    print(f"{signal:.2f} {healthz:.2f} {signal / healthz:.1f}")


if __name__ == "__main__":
    main()
