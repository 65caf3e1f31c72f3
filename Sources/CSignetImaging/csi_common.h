/* Internal helpers shared by the CSignetImaging shims. Not part of the public header. */
#ifndef CSI_COMMON_H
#define CSI_COMMON_H

#include "CSignetImaging.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static inline void csi_set_status(csi_status *status, int32_t code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static inline void csi_set_status(csi_status *status, int32_t code, const char *format, ...) {
    if (status == NULL) {
        return;
    }
    status->code = code;
    va_list args;
    va_start(args, format);
    vsnprintf(status->message, sizeof(status->message), format, args);
    va_end(args);
}

static inline void csi_clear_status(csi_status *status) {
    if (status != NULL) {
        status->code = CSI_OK;
        status->message[0] = '\0';
    }
}

static inline void csi_copy_status(csi_status *to, const csi_status *from) {
    if (to != NULL && from != NULL) {
        to->code = from->code;
        memcpy(to->message, from->message, sizeof(to->message));
        to->message[sizeof(to->message) - 1] = '\0';
    }
}

/* (a * b + 127) / 255 for 8-bit a, b: multiplication of two [0, 1] values in 8-bit fixed point. */
static inline uint8_t csi_mul255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return (uint8_t)((t + (t >> 8)) >> 8);
}

#endif
