/*
 * Always-on wake-word detection from a PDM microphone at 16 kHz, e.g. on the
 * Arduino Nano RP2040 Connect or the Nano 33 BLE Sense (their built-in
 * microphone), with Harken's generated model. Each detection is printed on
 * the serial monitor (115200 baud) and toggles LED_BUILTIN.
 *
 * The PDM interrupt copies samples into a ring buffer; loop() feeds them to
 * the wake-word pipeline (frontend, model, detector), which may take tens of
 * milliseconds per inference while new audio keeps arriving.
 */
#include <PDM.h>
#include <Harken.h>

/*
 * A board whose core has no PDM microphone predefined (a plain Raspberry Pi
 * Pico on the arduino-pico core, with a PDM microphone wired to two GPIOs):
 * define the pins here and the sketch makes its own PDM object.
 */
// #define HARKEN_PDM_DIN_PIN 2
// #define HARKEN_PDM_CLK_PIN 3
#ifdef HARKEN_PDM_DIN_PIN
PDMClass HarkenPDM(HARKEN_PDM_DIN_PIN, HARKEN_PDM_CLK_PIN, -1);
#define MIC HarkenPDM
#else
#define MIC PDM
#endif

static const int kSampleRate = 16000;
static const uint32_t kRingSamples = 4096; /* 256 ms of audio */
static const uint32_t kChunkSamples = 256;

static int16_t ring[kRingSamples];
static volatile uint32_t ringHead;   /* next slot the interrupt writes */
static volatile uint32_t ringTail;   /* next slot loop() reads */
static volatile uint32_t droppedSamples;
static int16_t pdmChunk[kChunkSamples];
static int16_t work[kChunkSamples];

static hk_wake_t wake; /* about 6.5 KiB of frontend state: static, not on the stack */
static bool ledOn = false;

/* PDM interrupt: move what the driver has into the ring; drop audio when full. */
static void onPdmData()
{
    int available = MIC.available();
    while (available > 0) {
        const size_t want = (size_t)available < sizeof pdmChunk ? (size_t)available : sizeof pdmChunk;
        const int got = MIC.read(pdmChunk, want);
        if (got <= 0) {
            break;
        }
        const uint32_t n = (uint32_t)got / 2;
        uint32_t head = ringHead;
        for (uint32_t i = 0; i < n; i++) {
            const uint32_t next = (head + 1) % kRingSamples;
            if (next == ringTail) {
                droppedSamples = droppedSamples + (n - i);
                break;
            }
            ring[head] = pdmChunk[i];
            head = next;
        }
        ringHead = head;
        available = MIC.available();
    }
}

static void onDetect(void *context, uint32_t step, uint8_t probability, int32_t windowSum)
{
    (void)context;
    ledOn = !ledOn;
    digitalWrite(LED_BUILTIN, ledOn ? HIGH : LOW);
    Serial.print("wake word '");
    Serial.print(hk_model.name);
    Serial.print("' detected at ");
    Serial.print((unsigned long)millis());
    Serial.print(" ms (step ");
    Serial.print((unsigned long)step);
    Serial.print(", probability ");
    Serial.print((unsigned int)probability);
    Serial.print("/256, window sum ");
    Serial.print((long)windowSum);
    Serial.println(")");
}

void setup()
{
    Serial.begin(115200);
    pinMode(LED_BUILTIN, OUTPUT);
    digitalWrite(LED_BUILTIN, LOW);

    if (hk_wake_init(&wake, &hk_model, onDetect, NULL) != 0) {
        Serial.println("hk_wake_init failed: the model's input is not whole frontend frames");
        for (;;) {
            delay(1000);
        }
    }
    MIC.onReceive(onPdmData);
    if (!MIC.begin(1, kSampleRate)) {
        Serial.println("PDM.begin(1, 16000) failed: no PDM microphone on this board?");
        for (;;) {
            delay(1000);
        }
    }
    Serial.print("listening for '");
    Serial.print(hk_model.name);
    Serial.println("'");
}

void loop()
{
    uint32_t n = 0;
    uint32_t tail = ringTail;
    const uint32_t head = ringHead;
    while (tail != head && n < kChunkSamples) {
        work[n++] = ring[tail];
        tail = (tail + 1) % kRingSamples;
    }
    ringTail = tail;
    if (n > 0) {
        hk_wake_feed(&wake, work, n);
    }
    if (droppedSamples != 0) {
        Serial.print("audio overrun: dropped ");
        Serial.print((unsigned long)droppedSamples);
        Serial.println(" samples (inference slower than real time?)");
        droppedSamples = 0;
    }
}
