/*
 * Harken serial benchmark protocol: CRC-32, frame layout, COBS and the streaming
 * receiver (see hk_bench_proto.h for the wire format).
 *
 * Nothing here allocates, blocks or touches a port: the same file runs on the
 * device and in host tests, which feed it bytes from memory.
 */
#include "harken/hk_bench_proto.h"

#include <string.h>

/* CRC-32/ISO-HDLC with a 16-entry table, four bits per lookup: 64 bytes of flash
 * instead of the usual 1 KiB, and two lookups per byte are plenty for a serial
 * link (a 1 KiB frame costs a few thousand instructions). Entry i is the CRC of the
 * nibble i shifted through the reflected polynomial 0xEDB88320. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
    0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu
};

uint32_t hk_bench_crc32(uint32_t crc, const uint8_t *data, size_t n)
{
    /* init and xorout are both 0xFFFFFFFF: inverting on entry and exit lets a
     * caller continue a CRC across several calls starting from 0. */
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 0x0Fu];
        crc = (crc >> 4) ^ crc_nibble[crc & 0x0Fu];
    }
    return ~crc;
}

static void put_u16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* payload may already sit at out + HK_BENCH_HEADER_BYTES (the bench app builds
 * replies in place to save a buffer), hence memmove and not memcpy. */
size_t hk_bench_frame(uint8_t type, uint8_t seq, const uint8_t *payload, uint16_t n, uint8_t *out)
{
    if (n > 0 && payload != out + HK_BENCH_HEADER_BYTES) {
        memmove(out + HK_BENCH_HEADER_BYTES, payload, n);
    }
    out[0] = type;
    out[1] = seq;
    put_u16le(out + 2, n);
    size_t body = (size_t)HK_BENCH_HEADER_BYTES + n;
    put_u32le(out + body, hk_bench_crc32(0, out, body));
    return body + HK_BENCH_CRC_BYTES;
}

/* Consistent overhead byte stuffing: every run of up to 254 non-zero bytes is
 * preceded by a code byte = run length + 1; a code below 0xFF also stands for the
 * zero that ended the run. The implied zero after the last run is not data, so an
 * input of n bytes needs n + n / 254 + 1 bytes at most and out must hold that. */
size_t hk_bench_cobs_encode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t code_at = 0;
    size_t o = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == 0) {
            out[code_at] = code;
            code_at = o++;
            code = 1;
        } else {
            out[o++] = in[i];
            code++;
            /* A full 254-byte run ends without an implied zero; start a new block
             * unless this was the last byte (then the final code below closes it). */
            if (code == 0xFF && i + 1 < n) {
                out[code_at] = code;
                code_at = o++;
                code = 1;
            }
        }
    }
    out[code_at] = code;
    return o;
}

/* Decodes into out, writing at most cap bytes; returns 0 on malformed input or
 * when the result would not fit. The decoded length is at most n - 1 (each block
 * yields at most as many bytes as it occupies and the last one a byte fewer), but
 * the receiver's frame buffer is a few bytes shorter than its encoded buffer, so
 * it needs the bound. */
static size_t cobs_decode_bounded(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0;
    size_t o = 0;
    while (i < n) {
        uint8_t code = in[i++];
        if (code == 0) {
            return 0; /* a zero cannot occur inside a delimited block */
        }
        size_t run = (size_t)code - 1;
        if (run > n - i || run > cap - o) {
            return 0;
        }
        for (size_t k = 0; k < run; k++) {
            uint8_t b = in[i++];
            if (b == 0) {
                return 0;
            }
            out[o++] = b;
        }
        if (code != 0xFF && i < n) {
            if (o == cap) {
                return 0;
            }
            out[o++] = 0;
        }
    }
    return o;
}

size_t hk_bench_cobs_decode(const uint8_t *in, size_t n, uint8_t *out)
{
    /* out must hold n bytes; see cobs_decode_bounded for why n - 1 suffices. */
    return cobs_decode_bounded(in, n, out, n);
}

void hk_bench_rx_init(hk_bench_rx_t *rx)
{
    rx->fill = 0;
    rx->overflow = 0;
    rx->type = 0;
    rx->seq = 0;
    rx->len = 0;
    rx->payload = rx->frame + HK_BENCH_HEADER_BYTES;
}

/* Every 0x00 ends a block, good or bad, so one bad frame (noise, a dropped byte,
 * a block longer than the buffer) costs exactly that frame and the next one
 * decodes normally. */
int hk_bench_rx_feed(hk_bench_rx_t *rx, uint8_t byte)
{
    if (byte != 0) {
        if (rx->fill < sizeof rx->encoded) {
            rx->encoded[rx->fill++] = byte;
        } else {
            rx->overflow = 1;
        }
        return 0;
    }
    size_t fill = rx->fill;
    int overflow = rx->overflow;
    rx->fill = 0;
    rx->overflow = 0;
    if (fill == 0 || overflow) {
        return 0;
    }
    size_t n = cobs_decode_bounded(rx->encoded, fill, rx->frame, sizeof rx->frame);
    if (n < HK_BENCH_HEADER_BYTES + HK_BENCH_CRC_BYTES) {
        return 0;
    }
    size_t len = (size_t)rx->frame[2] | ((size_t)rx->frame[3] << 8);
    if (len > HK_BENCH_MAX_PAYLOAD || n != HK_BENCH_HEADER_BYTES + len + HK_BENCH_CRC_BYTES) {
        return 0;
    }
    size_t body = HK_BENCH_HEADER_BYTES + len;
    if (hk_bench_crc32(0, rx->frame, body) != get_u32le(rx->frame + body)) {
        return 0;
    }
    rx->type = rx->frame[0];
    rx->seq = rx->frame[1];
    rx->len = (uint16_t)len;
    rx->payload = rx->frame + HK_BENCH_HEADER_BYTES;
    return 1;
}
