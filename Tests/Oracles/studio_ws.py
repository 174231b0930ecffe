"""Harken Studio's two WebSockets from outside, for the API test: a job's live feed and Listen.

    studio_ws.py BASE_URL TOKEN JOB_ID MODEL WAV EXCHANGES_JSONL

Appends one exchange per handshake to EXCHANGES_JSONL (the form openapi_check.py reads: status 101 with
the server's text messages, or the refusal's status and JSON body), sends garbage on each socket, and
prints a JSON summary: the live feed's message types, Listen's detections for WAV streamed in 20 ms
chunks, and the error messages garbage got.
"""
import json
import sys
import time
import wave

import websocket


def refused(url):
    """A refused request: upgraded, one error message, then a close with 4000 + the HTTP status."""
    ws = websocket.create_connection(url, timeout=10)
    message = json.loads(ws.recv())
    opcode, frame = ws.recv_data_frame(True)
    ws.close()
    code = int.from_bytes(frame.data[:2], "big") if opcode == websocket.ABNF.OPCODE_CLOSE else None
    return code, message


def main():
    base, token, job, model, wav_path, out_path = sys.argv[1:7]
    ws_base = base.replace("http://", "ws://").rstrip("/")
    exchanges, summary = [], {}

    def record(path, status, body=None, messages=None):
        e = {"method": "GET", "path": path, "status": status, "content_type": "application/json" if body is not None else None, "body": body}
        if messages is not None:
            e["messages"] = messages
        exchanges.append(e)

    # A job's live feed: state, epochs, telemetry and log lines; anything sent to it is an error.
    live = f"/api/v1/jobs/{job}/live"
    ws = websocket.create_connection(f"{ws_base}{live}?token={token}", timeout=10)
    messages, deadline = [], time.time() + 3
    ws.send("garbage {")
    while time.time() < deadline:
        ws.settimeout(max(0.05, deadline - time.time()))
        try:
            messages.append(json.loads(ws.recv()))
        except websocket.WebSocketTimeoutException:
            break
    ws.close()
    record(live, 101, messages=messages)
    summary["live_types"] = sorted({m["type"] for m in messages})
    summary["live_errors"] = [m["error"]["message"] for m in messages if m["type"] == "error"]
    for path, key in [(f"{live}?token=wrong", "live_bad_token"), (f"/api/v1/jobs/no-such-job/live?token={token}", "live_unknown_job")]:
        code, message = refused(ws_base + path)
        record(path, 101, messages=[message])
        summary[key] = code

    # Listen: the WAV in 20 ms chunks, as a microphone would send it.
    with wave.open(wav_path, "rb") as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2, "WAV must be 16 kHz mono 16-bit"
        pcm = w.readframes(w.getnframes())
    listen = f"/api/v1/listen?model={model}"
    ws = websocket.create_connection(f"{ws_base}{listen}&token={token}", timeout=20)
    messages = [json.loads(ws.recv())]
    detections, points, last_samples = [], 0, 0
    for i in range(0, len(pcm), 640):
        ws.send_binary(pcm[i:i + 640])
        m = json.loads(ws.recv())
        messages.append(m)
        points += len(m["points"])
        detections += [d["time_s"] for d in m["detections"]]
        last_samples = m["samples"]
    errors = []
    for bad in [lambda: ws.send_binary(b"\x01\x02\x03"), lambda: ws.send("not json"), lambda: ws.send('{"type": "shout"}')]:
        bad()
        m = json.loads(ws.recv())
        messages.append(m)
        errors.append(m["error"]["message"] if m["type"] == "error" else "")
    ws.send('{"type": "reset"}')
    messages.append(json.loads(ws.recv()))
    ws.send_binary(pcm[:640])
    after_reset = json.loads(ws.recv())
    messages.append(after_reset)
    ws.close()
    record(listen, 101, messages=messages)
    summary.update(listen_detections=detections, listen_points=points, listen_samples=last_samples, listen_errors=errors,
                   listen_ready=messages[0]["type"], samples_after_reset=after_reset["samples"])
    for path, key in [(f"/api/v1/listen?token={token}", "listen_no_model"), (f"/api/v1/listen?model=nope&token={token}", "listen_unknown_model"),
                      (f"/api/v1/listen?model={model}", "listen_no_token")]:
        code, message = refused(ws_base + path)
        record(path, 101, messages=[message])
        summary[key] = code

    with open(out_path, "a") as f:
        for e in exchanges:
            f.write(json.dumps(e) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
