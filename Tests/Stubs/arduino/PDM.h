/* Stub of the Arduino PDM library's PDM.h (mbed cores, arduino-pico): the
 * class's public interface, with the real member signatures. Syntax checks only. */
#pragma once

#include <Arduino.h>

class PDMClass {
public:
    PDMClass(int dinPin, int clkPin, int pwrPin);
    virtual ~PDMClass();

    int begin(int channels, int sampleRate);
    void end();

    virtual int available();
    virtual int read(void *buffer, size_t size);

    void onReceive(void (*)(void));

    void setGain(int gain);
    void setBufferSize(int bufferSize);
};

extern PDMClass PDM;
