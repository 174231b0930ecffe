/*
 * Harken serial benchmark protocol (device and host share this definition).
 *
 * Link framing: each frame is COBS-encoded, preceded and terminated by a 0x00 byte
 * (empty blocks between delimiters are ignored), so a receiver resynchronises at
 * the next 0x00 after garbage, a dropped byte or a reset, and noise that ends
 * without a delimiter cannot swallow the frame after it.
 * Decoded frame:   type:u8  seq:u8  len:u16le  payload[len]  crc:u32le
 * crc is CRC-32/ISO-HDLC (reflected poly 0xEDB88320, init and xorout 0xFFFFFFFF)
 * over type, seq, len and payload. All integers are little-endian.
 *
 * The host sends a request; the device answers with the same seq and type | 0x80,
 * or HK_BENCH_ERROR with payload {code:u8, request_type:u8}. Frames with a bad CRC
 * or length are dropped silently (the host times out and retries with the same
 * seq). The device keeps its last reply: a request with the same type and seq as
 * the previous one is answered from that copy without running again, so a retried
 * STEP whose reply was lost does not advance the model twice. On boot the
 * device sends HK_BENCH_BOOT (seq 0, payload = the HELLO reply), so a host sees a
 * reset that happens mid-run.
 */
#ifndef HARKEN_BENCH_PROTO_H
#define HARKEN_BENCH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HK_BENCH_VERSION 1
#define HK_BENCH_MAX_PAYLOAD 1024
#define HK_BENCH_HEADER_BYTES 4
#define HK_BENCH_CRC_BYTES 4
#define HK_BENCH_MAX_FRAME (HK_BENCH_HEADER_BYTES + HK_BENCH_MAX_PAYLOAD + HK_BENCH_CRC_BYTES)
/* COBS adds one byte per 254 plus one, and the link adds the 0x00 delimiter. */
#define HK_BENCH_MAX_ENCODED (HK_BENCH_MAX_FRAME + HK_BENCH_MAX_FRAME / 254 + 2)

enum {
    /* HELLO: no payload. Reply: version:u8, cpu_hz:u32, input_bytes:u32, output_bytes:u32,
     * arena_bytes:u32, state_bytes:u32, weight_bytes:u32, board:(u8 length + chars),
     * model:(u8 length + chars). */
    HK_BENCH_HELLO = 0x01,
    /* RESET: restore the model's streaming state. Reply: empty. */
    HK_BENCH_RESET = 0x02,
    /* STEP: payload = one input tensor (input_bytes). Runs one inference.
     * Reply: cycles:u32, then the output tensor (output_bytes). */
    HK_BENCH_STEP = 0x03,
    /* RUN: payload = n:u32. Runs n inferences on the current input (state advances).
     * Reply: total_cycles:u64, min_cycles:u32, max_cycles:u32. */
    HK_BENCH_RUN = 0x04,
    /* STATS: no payload. Reply: stack_used_bytes:u32 (high-water mark), stack_bytes:u32,
     * static_ram_bytes:u32 (.data + .bss), flash_bytes:u32 (.text + .rodata + .data image). */
    HK_BENCH_STATS = 0x05,
    /* ECHO: any payload, returned unchanged (link test). */
    HK_BENCH_ECHO = 0x06,

    /* The cascade (a firmware built with a Judge, hk_bench_cascade.h). Audio comes from the
     * host, so the device's clock (feature frames, 10 ms of audio each) is the host's pacing.
     *
     * FEED: payload = int16le audio samples (at most HK_BENCH_MAX_PAYLOAD / 2), through the
     * frontend, the Sentry, its detector and the cascade. Reply: frames:u32, steps:u32,
     * detections:u32, decisions:u32, dropped:u32, requests:u32, retransmissions:u32,
     * ignored_answers:u32 (totals since reset), n:u8, then the n decisions made since the
     * previous FEED reply, each HK_BENCH_DECISION_BYTES: id:u32, trigger_step:u32,
     * trigger_frame:u32, decided_frame:u32, sentry_sum:i32, score_q16:u16, flags:u8
     * (bit 0 judged, bit 1 accepted), 0:u8. A FEED with the seq of the previous FEED is
     * answered from the copy of that reply, so a retried FEED never feeds audio twice. */
    HK_BENCH_FEED = 0x08,
    /* JUDGE, sent by the device (server placement): one chunk of request id's window,
     * id:u32, offset:u16, total:u16, then up to HK_BENCH_JUDGE_CHUNK bytes; seq = id & 0xFF.
     * A retransmission sends the same id and bytes. The host answers JUDGE | REPLY with
     * seq = id & 0xFF and payload id:u32, score_q16:u16 (the probability * 65536, floored);
     * the device sends nothing back, and ignores an answer for any id but the pending one. */
    HK_BENCH_JUDGE = 0x09,
    /* JUDGE_STEP (device placement): offset:u16, total:u16, then bytes of one Judge input
     * window written at offset. Reply: empty, or, for the chunk that ends the window
     * (offset + n == total == the Judge's input bytes), cycles:u32 and the Judge's output. */
    HK_BENCH_JUDGE_STEP = 0x0A,
    /* CASCADE: no payload. Reply: placement:u8, fallback:u8, channels:u16,
     * frames_before:u16, frames_after:u16, timeout_frames:u16, retry_frames:u16,
     * cutoff_q16:i32, ring_bytes:u32, then the Judge's input_bytes, arena_bytes,
     * weight_bytes (u32 each, 0 for a server Judge). RESET also resets the cascade. */
    HK_BENCH_CASCADE = 0x0B,
    /* FEED_FRAMES: payload = whole frames of int8 features (channels bytes each), fed past the
     * frontend (hk_wake_feed_frame): a recording's features, 8 times fewer bytes than its audio.
     * Reply and retries as FEED. */
    HK_BENCH_FEED_FRAMES = 0x0C,
    HK_BENCH_BOOT = 0x7E,
    HK_BENCH_ERROR = 0x7F,
    HK_BENCH_REPLY = 0x80
};

#define HK_BENCH_DECISION_BYTES 24
#define HK_BENCH_JUDGE_HEADER_BYTES 8
#define HK_BENCH_JUDGE_CHUNK (HK_BENCH_MAX_PAYLOAD - HK_BENCH_JUDGE_HEADER_BYTES)

enum {
    HK_BENCH_ERR_UNKNOWN_COMMAND = 1,
    HK_BENCH_ERR_BAD_LENGTH = 2
};

/* CRC-32/ISO-HDLC, continuing from `crc` (start with 0). */
uint32_t hk_bench_crc32(uint32_t crc, const uint8_t *data, size_t n);

/* Builds a decoded frame into out (capacity >= 8 + n); returns its length. */
size_t hk_bench_frame(uint8_t type, uint8_t seq, const uint8_t *payload, uint16_t n, uint8_t *out);

/* COBS: encode n bytes (no zero in the output; the caller appends 0x00). Returns length. */
size_t hk_bench_cobs_encode(const uint8_t *in, size_t n, uint8_t *out);
/* COBS decode of one delimited block (without the 0x00). Returns length, or 0 if malformed. */
size_t hk_bench_cobs_decode(const uint8_t *in, size_t n, uint8_t *out);

/* Streaming receiver: feed bytes one at a time; returns 1 when a frame with a valid
 * length and CRC is complete (then type/seq/payload/len are valid until the next feed). */
typedef struct {
    uint8_t encoded[HK_BENCH_MAX_ENCODED];
    size_t fill;
    int overflow;
    uint8_t frame[HK_BENCH_MAX_FRAME];
    uint8_t type, seq;
    uint16_t len;
    const uint8_t *payload;
} hk_bench_rx_t;

void hk_bench_rx_init(hk_bench_rx_t *rx);
int hk_bench_rx_feed(hk_bench_rx_t *rx, uint8_t byte);

/* Little-endian fields of a payload: each put returns the byte after the field. */
static inline uint8_t *hk_bench_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return p + 2;
}

static inline uint8_t *hk_bench_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}

static inline uint16_t hk_bench_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t hk_bench_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#ifdef __cplusplus
}
#endif

#endif
