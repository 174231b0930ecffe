// OpenBLAS's CBLAS interface. Debian keeps the header beside the chosen BLAS variant
// (/usr/include/x86_64-linux-gnu/openblas-pthread/); pkg-config "openblas" supplies -I.
#include <cblas.h>
