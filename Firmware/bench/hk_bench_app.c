/*
 * The device side of the serial benchmark harness (hk_bench_app.h): receive a
 * request, run it against the model, send one reply, forever.
 *
 * Buffers are static rather than on the stack so that the stack high-water mark
 * reported by STATS is the model's and the app's call depth, not 4 KiB of frame
 * buffers; the harness is a singleton, so nothing is lost by that.
 */
#include "harken/hk_bench_app.h"
#include "harken/hk_bench_proto.h"

#include <string.h>

static hk_bench_rx_t rx;
/* One decoded reply frame, built in place: header, payload, CRC. It is COBS-encoded
 * while it is written out, so no encoded copy is kept (1 KiB less RAM, which
 * matters on 16 KiB parts). */
static uint8_t tx[HK_BENCH_MAX_FRAME];

static uint8_t *reply_payload(void)
{
    return tx + HK_BENCH_HEADER_BYTES;
}

static uint8_t *put_u8(uint8_t *p, uint8_t v)
{
    p[0] = v;
    return p + 1;
}

static uint8_t *put_u64(uint8_t *p, uint64_t v)
{
    p = hk_bench_put_u32(p, (uint32_t)v);
    return hk_bench_put_u32(p, (uint32_t)(v >> 32));
}

/* u8 length + bytes; longer strings are cut at 255 bytes (names, not data). */
static uint8_t *put_str(uint8_t *p, const char *s)
{
    size_t n = s == NULL ? 0 : strlen(s);
    if (n > 255) {
        n = 255;
    }
    *p++ = (uint8_t)n;
    if (n > 0) {
        memcpy(p, s, n);
    }
    return p + n;
}

/* COBS-encodes tx[0..n) straight onto the link, then the 0x00 delimiter. The same
 * bytes as hk_bench_cobs_encode: runs of up to 254 non-zero bytes, each behind a
 * code byte; a code below 0xFF also stands for the zero that ended its run. */
static void send_encoded(const hk_port_t *port, size_t n)
{
    size_t i = 0;
    for (;;) {
        size_t run = 0;
        while (run < 254 && i + run < n && tx[i + run] != 0) {
            run++;
        }
        uint8_t code = (uint8_t)(run + 1);
        port->write(&code, 1);
        if (run > 0) {
            port->write(tx + i, run);
        }
        i += run;
        if (i == n) {
            break;
        }
        if (run < 254) {
            i++; /* the zero this block's code stands for */
        }
    }
    static const uint8_t delimiter = 0;
    port->write(&delimiter, 1);
}

static void send_reply(const hk_port_t *port, uint8_t type, uint8_t seq, size_t payload_bytes)
{
    size_t n = hk_bench_frame(type, seq, reply_payload(), (uint16_t)payload_bytes, tx);
    send_encoded(port, n);
}

uint8_t *hk_bench_payload(void)
{
    return reply_payload();
}

void hk_bench_send(const hk_port_t *port, uint8_t type, uint8_t seq, size_t payload_bytes)
{
    send_reply(port, type, seq, payload_bytes);
}

static void send_error(const hk_port_t *port, uint8_t seq, uint8_t code, uint8_t request_type)
{
    uint8_t *p = reply_payload();
    p[0] = code;
    p[1] = request_type;
    send_reply(port, HK_BENCH_ERROR, seq, 2);
}

static size_t hello_payload(const hk_model_api_t *model, const hk_port_t *port)
{
    uint8_t *start = reply_payload();
    uint8_t *p = start;
    p = put_u8(p, HK_BENCH_VERSION);
    p = hk_bench_put_u32(p, port->cpu_hz);
    p = hk_bench_put_u32(p, model->input_bytes);
    p = hk_bench_put_u32(p, model->output_bytes);
    p = hk_bench_put_u32(p, model->arena_bytes);
    p = hk_bench_put_u32(p, model->state_bytes);
    p = hk_bench_put_u32(p, model->weight_bytes);
    p = put_str(p, port->board);
    p = put_str(p, model->name);
    return (size_t)(p - start);
}

/* The measured span includes one call of port->cycles() besides invoke(): a few
 * instructions, below the counter's resolution on QEMU, noted rather than
 * subtracted so that the number stays a plain difference of two readings. */
static uint32_t timed_invoke(const hk_model_api_t *model, const hk_port_t *port)
{
    uint32_t t0 = port->cycles();
    model->invoke();
    return port->cycles() - t0; /* unsigned: correct across one wrap of the counter */
}

/* Answers the request in rx with exactly one frame: its reply, or an ERROR (an
 * extension's frames are the extension's to answer). */
static void handle(const hk_model_api_t *model, const hk_port_t *port, const hk_bench_ext_t *ext)
{
    uint8_t type = rx.type;
    uint8_t seq = rx.seq;
    uint8_t reply = (uint8_t)(type | HK_BENCH_REPLY);
    uint8_t *out = reply_payload();

    switch (type) {
    case HK_BENCH_HELLO:
        if (rx.len != 0) {
            break;
        }
        send_reply(port, reply, seq, hello_payload(model, port));
        return;

    case HK_BENCH_RESET:
        if (rx.len != 0) {
            break;
        }
        model->init();
        if (ext != NULL && ext->reset != NULL) {
            ext->reset(ext->context);
        }
        send_reply(port, reply, seq, 0);
        return;

    case HK_BENCH_STEP: {
        if (rx.len != model->input_bytes || model->output_bytes > HK_BENCH_MAX_PAYLOAD - 4) {
            break;
        }
        memcpy(model->input(), rx.payload, rx.len);
        uint32_t cycles = timed_invoke(model, port);
        memcpy(hk_bench_put_u32(out, cycles), model->output(), model->output_bytes);
        send_reply(port, reply, seq, 4 + (size_t)model->output_bytes);
        return;
    }

    case HK_BENCH_RUN: {
        if (rx.len != 4) {
            break;
        }
        uint32_t n = hk_bench_get_u32(rx.payload);
        uint64_t total = 0;
        uint32_t lo = 0;
        uint32_t hi = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t c = timed_invoke(model, port);
            total += c;
            lo = (i == 0 || c < lo) ? c : lo;
            hi = c > hi ? c : hi;
        }
        uint8_t *p = put_u64(out, total);
        p = hk_bench_put_u32(p, lo);
        p = hk_bench_put_u32(p, hi);
        send_reply(port, reply, seq, (size_t)(p - out));
        return;
    }

    case HK_BENCH_STATS: {
        if (rx.len != 0) {
            break;
        }
        uint8_t *p = hk_bench_put_u32(out, port->stack_used());
        p = hk_bench_put_u32(p, port->stack_bytes);
        p = hk_bench_put_u32(p, port->static_ram_bytes);
        p = hk_bench_put_u32(p, port->flash_bytes);
        send_reply(port, reply, seq, (size_t)(p - out));
        return;
    }

    case HK_BENCH_ECHO:
        /* rx.frame and tx are different buffers, so the payload is copied once. */
        memcpy(out, rx.payload, rx.len);
        send_reply(port, reply, seq, rx.len);
        return;

    default:
        if (ext != NULL && ext->handle(ext->context, port, type, seq, rx.payload, rx.len)) {
            return;
        }
        send_error(port, seq, HK_BENCH_ERR_UNKNOWN_COMMAND, type);
        return;
    }
    /* A known command whose payload length is not the one it needs. */
    send_error(port, seq, HK_BENCH_ERR_BAD_LENGTH, type);
}

void hk_bench_serve(const hk_model_api_t *model, const hk_port_t *port)
{
    hk_bench_serve_ext(model, port, NULL);
}

void hk_bench_serve_ext(const hk_model_api_t *model, const hk_port_t *port, const hk_bench_ext_t *ext)
{
    hk_bench_rx_init(&rx);
    model->init();
    /* BOOT carries the HELLO reply so a host that was already listening learns of a
     * reset (watchdog, fault, power) without asking. */
    send_reply(port, HK_BENCH_BOOT, 0, hello_payload(model, port));
    for (;;) {
        if (hk_bench_rx_feed(&rx, (uint8_t)port->read_byte())) {
            handle(model, port, ext);
        }
    }
}
