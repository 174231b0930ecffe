/* Stub of the Arduino core API (ArduinoCore-API, as the mbed and arduino-pico
 * cores use it): the subset the Harken templates' sketches use. Syntax checks only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t pin_size_t;

typedef enum {
    LOW = 0,
    HIGH = 1,
    CHANGE = 2,
    FALLING = 3,
    RISING = 4
} PinStatus;

typedef enum {
    INPUT = 0x0,
    OUTPUT = 0x1,
    INPUT_PULLUP = 0x2,
    INPUT_PULLDOWN = 0x3
} PinMode;

#define DEC 10
#define HEX 16

#ifndef LED_BUILTIN
#define LED_BUILTIN 13
#endif

#ifdef __cplusplus
extern "C" {
#endif

void pinMode(pin_size_t pinNumber, PinMode pinMode);
void digitalWrite(pin_size_t pinNumber, PinStatus status);
PinStatus digitalRead(pin_size_t pinNumber);
unsigned long millis(void);
unsigned long micros(void);
void delay(unsigned long ms);

#ifdef __cplusplus
}

class Print {
public:
    virtual ~Print() {}
    virtual size_t write(uint8_t) = 0;
    size_t print(const char[]);
    size_t print(char);
    size_t print(unsigned char, int = DEC);
    size_t print(int, int = DEC);
    size_t print(unsigned int, int = DEC);
    size_t print(long, int = DEC);
    size_t print(unsigned long, int = DEC);
    size_t print(long long, int = DEC);
    size_t print(unsigned long long, int = DEC);
    size_t print(double, int = 2);
    size_t println(const char[]);
    size_t println(char);
    size_t println(unsigned char, int = DEC);
    size_t println(int, int = DEC);
    size_t println(unsigned int, int = DEC);
    size_t println(long, int = DEC);
    size_t println(unsigned long, int = DEC);
    size_t println(long long, int = DEC);
    size_t println(unsigned long long, int = DEC);
    size_t println(double, int = 2);
    size_t println(void);
};

class Stream : public Print {
public:
    virtual int available() = 0;
    virtual int read() = 0;
};

class HardwareSerial : public Stream {
public:
    void begin(unsigned long baudrate);
    void end();
    int available() override;
    int read() override;
    size_t write(uint8_t) override;
    operator bool();
};

extern HardwareSerial Serial;
#endif
