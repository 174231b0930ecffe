/* Pseudo-terminal pairs for testing serial links without hardware. */
#ifndef HARKEN_PTY_H
#define HARKEN_PTY_H

#include <stddef.h>

/* Opens a pty master in raw mode; writes the slave's path into name. Returns the
 * master's file descriptor, or -1 with errno set. */
int hk_pty_open(char *name, size_t name_bytes);

#endif
