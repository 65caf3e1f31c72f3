/*
 * JPEG (streaming, file or memory) and PNG (memory) encoders for packed RGB rows.
 *
 * As in csi_reader.c, library errors longjmp to a jmp_buf in the heap-allocated writer/context
 * that every entry point arms first; the jump never leaves this file.
 */
#include "csi_common.h"

#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

/* ------------------------------------------------------------------ JPEG */

struct csi_jpeg_writer {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    jmp_buf jump;
    char message[200];
    int created;
    int failed;
    int finished;
    csi_status failure;
    FILE *file;
    char *path;
    unsigned char *memory;
    unsigned long memory_length;
    uint32_t width;
    uint32_t height;
};

static void csi_writer_error_exit(j_common_ptr cinfo) {
    csi_jpeg_writer *w = (csi_jpeg_writer *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, w->message);
    longjmp(w->jump, 1);
}

static void csi_writer_emit_message(j_common_ptr cinfo, int msg_level) {
    (void)cinfo;
    (void)msg_level;
}

static void csi_writer_output_message(j_common_ptr cinfo) {
    (void)cinfo;
}

static int32_t csi_writer_report(csi_jpeg_writer *w, csi_status *status) {
    csi_copy_status(status, &w->failure);
    return w->failure.code;
}

static void csi_writer_fail_from_jump(csi_jpeg_writer *w) {
    w->failed = 1;
    csi_set_status(&w->failure, CSI_ENCODE_FAILED, "JPEG encoder: %s", w->message);
}

csi_jpeg_writer *csi_jpeg_writer_open(const char *path, uint32_t width, uint32_t height, int quality,
                                      int optimize, csi_status *status) {
    csi_clear_status(status);
    if (width == 0 || height == 0) {
        csi_set_status(status, CSI_ENCODE_FAILED, "cannot encode an empty image (%ux%u)", width, height);
        return NULL;
    }
    if (width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
        csi_set_status(status, CSI_TOO_LARGE, "JPEG dimensions are limited to %d pixels (%ux%u)",
                       (int)JPEG_MAX_DIMENSION, width, height);
        return NULL;
    }
    if (quality < 1) {
        quality = 1;
    } else if (quality > 100) {
        quality = 100;
    }
    csi_jpeg_writer *w = calloc(1, sizeof(csi_jpeg_writer));
    if (w == NULL) {
        csi_set_status(status, CSI_ENCODE_FAILED, "out of memory");
        return NULL;
    }
    w->width = width;
    w->height = height;
    if (path != NULL) {
        w->path = strdup(path);
        w->file = w->path != NULL ? fopen(path, "wb") : NULL;
        if (w->file == NULL) {
            int error = errno;
            csi_set_status(status, error == ENOENT || error == ENOTDIR ? CSI_NOT_FOUND : CSI_ENCODE_FAILED,
                           "cannot create %s: %s", path, strerror(error));
            free(w->path);
            free(w);
            return NULL;
        }
    }
    w->cinfo.err = jpeg_std_error(&w->jerr);
    w->jerr.error_exit = csi_writer_error_exit;
    w->jerr.emit_message = csi_writer_emit_message;
    w->jerr.output_message = csi_writer_output_message;
    w->cinfo.client_data = w;
    if (setjmp(w->jump)) {
        csi_writer_fail_from_jump(w);
        csi_writer_report(w, status);
        csi_jpeg_writer_close(w);
        return NULL;
    }
    jpeg_create_compress(&w->cinfo);
    w->created = 1;
    if (w->file != NULL) {
        jpeg_stdio_dest(&w->cinfo, w->file);
    } else {
        jpeg_mem_dest(&w->cinfo, &w->memory, &w->memory_length);
    }
    w->cinfo.image_width = width;
    w->cinfo.image_height = height;
    w->cinfo.input_components = 3;
    w->cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&w->cinfo);
    jpeg_set_quality(&w->cinfo, quality, TRUE);
    w->cinfo.optimize_coding = (optimize && w->file == NULL) ? TRUE : FALSE;
    jpeg_start_compress(&w->cinfo, TRUE);
    return w;
}

int32_t csi_jpeg_writer_write_rows(csi_jpeg_writer *w, const uint8_t *rows, uint32_t count, csi_status *status) {
    csi_clear_status(status);
    if (w == NULL || rows == NULL) {
        csi_set_status(status, CSI_ENCODE_FAILED, "no writer or rows");
        return CSI_ENCODE_FAILED;
    }
    if (w->failed) {
        return csi_writer_report(w, status);
    }
    if (w->finished || count > w->cinfo.image_height - w->cinfo.next_scanline) {
        w->failed = 1;
        csi_set_status(&w->failure, CSI_ENCODE_FAILED, "more rows than the image height");
        return csi_writer_report(w, status);
    }
    size_t stride = (size_t)w->width * 3;
    if (setjmp(w->jump)) {
        csi_writer_fail_from_jump(w);
        return csi_writer_report(w, status);
    }
    for (uint32_t i = 0; i < count; i++) {
        JSAMPROW row = (JSAMPROW)(rows + (size_t)i * stride);
        jpeg_write_scanlines(&w->cinfo, &row, 1);
    }
    return CSI_OK;
}

int32_t csi_jpeg_writer_finish(csi_jpeg_writer *w, csi_status *status) {
    csi_clear_status(status);
    if (w == NULL) {
        csi_set_status(status, CSI_ENCODE_FAILED, "no writer");
        return CSI_ENCODE_FAILED;
    }
    if (w->failed) {
        return csi_writer_report(w, status);
    }
    if (w->finished || w->cinfo.next_scanline != w->cinfo.image_height) {
        w->failed = 1;
        csi_set_status(&w->failure, CSI_ENCODE_FAILED, "finish before all %u rows were written", w->height);
        return csi_writer_report(w, status);
    }
    if (setjmp(w->jump)) {
        csi_writer_fail_from_jump(w);
        return csi_writer_report(w, status);
    }
    jpeg_finish_compress(&w->cinfo);
    if (w->file != NULL) {
        FILE *file = w->file;
        w->file = NULL;
        int bad = fflush(file) != 0 || ferror(file);
        bad = (fclose(file) != 0) || bad;
        if (bad) {
            w->failed = 1;
            csi_set_status(&w->failure, CSI_ENCODE_FAILED, "cannot write %s", w->path);
            if (w->path != NULL) {
                unlink(w->path);
            }
            return csi_writer_report(w, status);
        }
    }
    w->finished = 1;
    return CSI_OK;
}

const uint8_t *csi_jpeg_writer_data(const csi_jpeg_writer *w, size_t *length) {
    if (w == NULL || !w->finished || w->path != NULL) {
        if (length != NULL) {
            *length = 0;
        }
        return NULL;
    }
    if (length != NULL) {
        *length = (size_t)w->memory_length;
    }
    return w->memory;
}

void csi_jpeg_writer_close(csi_jpeg_writer *w) {
    if (w == NULL) {
        return;
    }
    if (w->created) {
        jpeg_destroy_compress(&w->cinfo);
    }
    if (w->file != NULL) {
        fclose(w->file);
        if (!w->finished && w->path != NULL) {
            unlink(w->path);
        }
    }
    free(w->memory);
    free(w->path);
    free(w);
}

/* ------------------------------------------------------------------ JPEG variants */

typedef struct csi_variant_ctx {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    jmp_buf jump;
    char message[200];
    unsigned char *memory;
    unsigned long memory_length;
} csi_variant_ctx;

static void csi_variant_error_exit(j_common_ptr cinfo) {
    csi_variant_ctx *ctx = (csi_variant_ctx *)cinfo->client_data;
    (*cinfo->err->format_message)(cinfo, ctx->message);
    longjmp(ctx->jump, 1);
}

int32_t csi_jpeg_encode_variant(const uint8_t *pixels, uint32_t width, uint32_t height, int variant,
                                int progressive, int quality, uint8_t **out, size_t *length, csi_status *status) {
    csi_clear_status(status);
    if (pixels == NULL || out == NULL || length == NULL) {
        csi_set_status(status, CSI_ENCODE_FAILED, "missing buffers");
        return CSI_ENCODE_FAILED;
    }
    *out = NULL;
    *length = 0;
    int channels;
    switch (variant) {
    case CSI_VARIANT_GRAY: channels = 1; break;
    case CSI_VARIANT_YCBCR: channels = 3; break;
    case CSI_VARIANT_CMYK:
    case CSI_VARIANT_YCCK: channels = 4; break;
    default:
        csi_set_status(status, CSI_ENCODE_FAILED, "unknown variant %d", variant);
        return CSI_ENCODE_FAILED;
    }
    if (width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
        csi_set_status(status, CSI_ENCODE_FAILED, "cannot encode a %ux%u JPEG", width, height);
        return CSI_ENCODE_FAILED;
    }
    csi_variant_ctx *ctx = calloc(1, sizeof(csi_variant_ctx));
    if (ctx == NULL) {
        csi_set_status(status, CSI_ENCODE_FAILED, "out of memory");
        return CSI_ENCODE_FAILED;
    }
    ctx->cinfo.err = jpeg_std_error(&ctx->jerr);
    ctx->jerr.error_exit = csi_variant_error_exit;
    ctx->jerr.emit_message = csi_writer_emit_message;
    ctx->jerr.output_message = csi_writer_output_message;
    ctx->cinfo.client_data = ctx;
    if (setjmp(ctx->jump)) {
        csi_set_status(status, CSI_ENCODE_FAILED, "JPEG encoder: %s", ctx->message);
        jpeg_destroy_compress(&ctx->cinfo);
        free(ctx->memory);
        free(ctx);
        return CSI_ENCODE_FAILED;
    }
    jpeg_create_compress(&ctx->cinfo);
    jpeg_mem_dest(&ctx->cinfo, &ctx->memory, &ctx->memory_length);
    ctx->cinfo.image_width = width;
    ctx->cinfo.image_height = height;
    ctx->cinfo.input_components = channels;
    ctx->cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : (channels == 3 ? JCS_RGB : JCS_CMYK);
    jpeg_set_defaults(&ctx->cinfo);
    if (variant == CSI_VARIANT_YCCK) {
        jpeg_set_colorspace(&ctx->cinfo, JCS_YCCK);
    }
    jpeg_set_quality(&ctx->cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    if (progressive) {
        jpeg_simple_progression(&ctx->cinfo);
    }
    jpeg_start_compress(&ctx->cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (ctx->cinfo.next_scanline < ctx->cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)ctx->cinfo.next_scanline * stride);
        jpeg_write_scanlines(&ctx->cinfo, &row, 1);
    }
    jpeg_finish_compress(&ctx->cinfo);
    jpeg_destroy_compress(&ctx->cinfo);
    *out = ctx->memory;
    *length = (size_t)ctx->memory_length;
    free(ctx);
    return CSI_OK;
}

/* ------------------------------------------------------------------ PNG */

typedef struct csi_png_sink {
    jmp_buf jump;
    char message[200];
    uint8_t *data;
    size_t length;
    size_t capacity;
} csi_png_sink;

static void csi_png_write_error(png_structp png, png_const_charp message) {
    csi_png_sink *sink = (csi_png_sink *)png_get_error_ptr(png);
    snprintf(sink->message, sizeof(sink->message), "%s", message != NULL ? message : "unknown error");
    longjmp(sink->jump, 1);
}

static void csi_png_write_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void csi_png_write_data(png_structp png, png_bytep data, size_t length) {
    csi_png_sink *sink = (csi_png_sink *)png_get_io_ptr(png);
    if (length > SIZE_MAX - sink->length) {
        png_error(png, "output too large");
    }
    size_t needed = sink->length + length;
    if (needed > sink->capacity) {
        size_t capacity = sink->capacity < 4096 ? 4096 : sink->capacity;
        while (capacity < needed) {
            if (capacity > SIZE_MAX / 2) {
                png_error(png, "output too large");
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(sink->data, capacity);
        if (grown == NULL) {
            png_error(png, "out of memory");
        }
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->length, data, length);
    sink->length = needed;
}

static void csi_png_flush(png_structp png) {
    (void)png;
}

int32_t csi_png_encode(const uint8_t *rgb, uint32_t width, uint32_t height, uint8_t **out, size_t *length,
                       csi_status *status) {
    csi_clear_status(status);
    if (out == NULL || length == NULL || rgb == NULL) {
        csi_set_status(status, CSI_ENCODE_FAILED, "missing buffers");
        return CSI_ENCODE_FAILED;
    }
    *out = NULL;
    *length = 0;
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
        csi_set_status(status, CSI_ENCODE_FAILED, "cannot encode a %ux%u PNG", width, height);
        return CSI_ENCODE_FAILED;
    }
    csi_png_sink *sink = calloc(1, sizeof(csi_png_sink));
    if (sink == NULL) {
        csi_set_status(status, CSI_ENCODE_FAILED, "out of memory");
        return CSI_ENCODE_FAILED;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, csi_png_write_error, csi_png_write_warning);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_write_struct(png != NULL ? &png : NULL, NULL);
        free(sink);
        csi_set_status(status, CSI_ENCODE_FAILED, "out of memory");
        return CSI_ENCODE_FAILED;
    }
    /* png and info are not modified after setjmp, so they are valid after a jump. */
    if (setjmp(sink->jump)) {
        png_destroy_write_struct(&png, &info);
        csi_set_status(status, CSI_ENCODE_FAILED, "PNG encoder: %s", sink->message);
        free(sink->data);
        free(sink);
        return CSI_ENCODE_FAILED;
    }
    png_set_write_fn(png, sink, csi_png_write_data, csi_png_flush);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t stride = (size_t)width * 3;
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, rgb + (size_t)y * stride);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = sink->data;
    *length = sink->length;
    free(sink);
    return CSI_OK;
}

void csi_free(void *pointer) {
    free(pointer);
}
