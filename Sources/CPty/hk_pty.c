/* posix_openpt is XSI and cfmakeraw a BSD extension: the feature macros precede every include. */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 600
#include "hk_pty.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

int hk_pty_open(char *name, size_t name_bytes)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    struct termios t;
    const char *slave;
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || (slave = ptsname(fd)) == NULL) {
        close(fd);
        return -1;
    }
    snprintf(name, name_bytes, "%s", slave);
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}
