/*
 * Streaming JPEG / PNG reader delivering packed RGB rows.
 *
 * Error handling: libjpeg's error_exit and libpng's error callback longjmp to r->jump, which is
 * armed by setjmp at the top of every public entry point below, so the jump never leaves this
 * file. Only fields of the heap-allocated reader (never locals changed after setjmp) are used
 * once a jump has happened.
 */
#include "csi_common.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <setjmp.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

/* Upper bound on libjpeg's working memory (progressive files keep every coefficient). */
#define CSI_JPEG_MAX_MEMORY (1024L * 1024L * 1024L)
/* Value used for pixels that were never delivered by a truncated file. */
#define CSI_PAD_VALUE 0x80

struct csi_reader {
    FILE *file;
    int lenient;
    uint64_t max_pixels;
    csi_reader_info info;

    int started;
    int finished;
    uint32_t next_row;       /* next output row to deliver */
    uint32_t call_start_row; /* next_row when the current read_rows call began */

    int failed;
    csi_status failure;

    /* error plumbing shared by both libraries */
    jmp_buf jump;
    int eof_hit;         /* the file ended before the decoder was satisfied */
    int override_code;   /* set by our own checks before jumping */
    int library_code;    /* libjpeg msg_code of the fatal error */
    int warnings;
    char message[200];

    /* JPEG */
    int jpeg_created;
    struct jpeg_decompress_struct dinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_progress_mgr progress;
    int jpeg_cmyk;
    int jpeg_adobe_inverted;
    int jpeg_luma_only;  /* rows are the decoder's own luminance, one byte per pixel */

    /* PNG */
    png_structp png;
    png_infop png_info;
    int png_channels;    /* channels of a transformed row: 3 or 4 */
    int png_data_ended;  /* lenient truncation: remaining rows are padding */
    uint8_t *png_image;  /* whole transformed image (interlaced files only) */

    uint8_t *scratch;    /* one transformed row (CMYK JPEG, PNG) */
};

/* ------------------------------------------------------------------ helpers */

static void csi_reader_fail(csi_reader *r, int32_t code, const char *message) {
    r->failed = 1;
    csi_set_status(&r->failure, code, "%s", message);
}

static int32_t csi_reader_report(csi_reader *r, csi_status *status) {
    csi_copy_status(status, &r->failure);
    return r->failure.code;
}

static int csi_checked_mul(size_t a, size_t b, size_t *result) {
    if (a != 0 && b > SIZE_MAX / a) {
        return 0;
    }
    *result = a * b;
    return 1;
}

static void csi_rgba_to_rgb(const uint8_t *src, uint8_t *dst, uint32_t width) {
    for (uint32_t x = 0; x < width; x++) {
        unsigned a = src[3];
        unsigned inverse = 255u - a;
        dst[0] = (uint8_t)(csi_mul255(src[0], a) + csi_mul255(255u, inverse));
        dst[1] = (uint8_t)(csi_mul255(src[1], a) + csi_mul255(255u, inverse));
        dst[2] = (uint8_t)(csi_mul255(src[2], a) + csi_mul255(255u, inverse));
        src += 4;
        dst += 3;
    }
}

static void csi_cmyk_to_rgb(const uint8_t *src, uint8_t *dst, uint32_t width, int adobe_inverted) {
    for (uint32_t x = 0; x < width; x++) {
        unsigned c = src[0], m = src[1], y = src[2], k = src[3];
        if (!adobe_inverted) {
            c = 255u - c;
            m = 255u - m;
            y = 255u - y;
            k = 255u - k;
        }
        /* Stored (inverted) values are "amount of light": R = (1 - C)(1 - K). */
        dst[0] = csi_mul255(c, k);
        dst[1] = csi_mul255(m, k);
        dst[2] = csi_mul255(y, k);
        src += 4;
        dst += 3;
    }
}

/* ------------------------------------------------------------------ libjpeg callbacks */

static void csi_jpeg_error_exit(j_common_ptr cinfo) {
    csi_reader *r = (csi_reader *)cinfo->client_data;
    r->library_code = cinfo->err->msg_code;
    (*cinfo->err->format_message)(cinfo, r->message);
    longjmp(r->jump, 1);
}

static void csi_jpeg_emit_message(j_common_ptr cinfo, int msg_level) {
    csi_reader *r = (csi_reader *)cinfo->client_data;
    if (msg_level < 0) {
        r->warnings++;
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
            r->eof_hit = 1;
        }
    }
}

static void csi_jpeg_output_message(j_common_ptr cinfo) {
    (void)cinfo;
}

static void csi_jpeg_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) {
        return;
    }
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > CSI_MAX_JPEG_SCANS) {
        csi_reader *r = (csi_reader *)cinfo->client_data;
        r->override_code = CSI_CORRUPT;
        snprintf(r->message, sizeof(r->message), "JPEG has more than %d scans", CSI_MAX_JPEG_SCANS);
        longjmp(r->jump, 1);
    }
}

/* The csi_code for a fatal libjpeg error (msg_code); CSI_CORRUPT for anything not listed. Shared with the
 * coefficient reader. */
int32_t csi_jpeg_library_code(int msg_code);
int32_t csi_jpeg_library_code(int msg_code) {
    switch (msg_code) {
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF:
        return CSI_TRUNCATED;
    case JERR_IMAGE_TOO_BIG:
    case JERR_NO_BACKING_STORE:
    case JERR_OUT_OF_MEMORY:
    case JERR_WIDTH_OVERFLOW:
        return CSI_TOO_LARGE;
    case JERR_BAD_PRECISION:
    case JERR_SOF_UNSUPPORTED:
    case JERR_NOT_COMPILED:
    case JERR_CONVERSION_NOTIMPL:
        return CSI_UNSUPPORTED;
    default:
        return CSI_CORRUPT;
    }
}

static int32_t csi_jpeg_error_code(const csi_reader *r) {
    if (r->override_code != CSI_OK) {
        return r->override_code;
    }
    int32_t code = csi_jpeg_library_code(r->library_code);
    if (code == CSI_CORRUPT && r->eof_hit) {
        return CSI_TRUNCATED;
    }
    return code;
}

static void csi_jpeg_fail_from_jump(csi_reader *r) {
    int32_t code = csi_jpeg_error_code(r);
    if (code == CSI_TRUNCATED && r->eof_hit) {
        csi_set_status(&r->failure, code, "JPEG: premature end of file (%s)", r->message);
    } else {
        csi_set_status(&r->failure, code, "JPEG: %s", r->message);
    }
    r->failed = 1;
}

/* ------------------------------------------------------------------ libpng callbacks */

static void csi_png_error(png_structp png, png_const_charp message) {
    csi_reader *r = (csi_reader *)png_get_error_ptr(png);
    snprintf(r->message, sizeof(r->message), "%s", message != NULL ? message : "unknown error");
    longjmp(r->jump, 1);
}

static void csi_png_warning(png_structp png, png_const_charp message) {
    (void)message;
    csi_reader *r = (csi_reader *)png_get_error_ptr(png);
    r->warnings++;
}

static void csi_png_read(png_structp png, png_bytep data, size_t length) {
    csi_reader *r = (csi_reader *)png_get_io_ptr(png);
    size_t got = fread(data, 1, length, r->file);
    if (got != length) {
        if (feof(r->file)) {
            r->eof_hit = 1;
            png_error(png, "unexpected end of file");
        }
        png_error(png, "read error");
    }
}

static void csi_png_fail_from_jump(csi_reader *r) {
    int32_t code = CSI_CORRUPT;
    if (r->override_code != CSI_OK) {
        code = r->override_code;
    } else if (r->eof_hit) {
        code = CSI_TRUNCATED;
    } else if (strstr(r->message, "memory") != NULL || strstr(r->message, "exceeds") != NULL ||
               strstr(r->message, "too large") != NULL) {
        code = CSI_TOO_LARGE;
    }
    csi_set_status(&r->failure, code, "PNG: %s", r->message);
    r->failed = 1;
}

/* ------------------------------------------------------------------ open */

static int csi_check_pixels(csi_reader *r, uint32_t width, uint32_t height, const char *what) {
    if (width == 0 || height == 0) {
        r->override_code = CSI_CORRUPT;
        snprintf(r->message, sizeof(r->message), "%s header states an empty image (%ux%u)", what, width, height);
        return 0;
    }
    if (r->max_pixels == 0) {
        return 1; /* header-only reader */
    }
    uint64_t pixels = (uint64_t)width * (uint64_t)height;
    uint64_t limit = r->max_pixels < CSI_ABSOLUTE_MAX_PIXELS ? r->max_pixels : CSI_ABSOLUTE_MAX_PIXELS;
    if (pixels > limit) {
        r->override_code = CSI_TOO_LARGE;
        snprintf(r->message, sizeof(r->message), "%s of %ux%u pixels exceeds the limit of %llu pixels", what, width,
                 height, (unsigned long long)limit);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ source manager */

/* libjpeg-turbo decodes Huffman data on its fast path only while a few KiB of input are buffered; the stdio
 * source refills 4 KiB at a time, which keeps it on the slow path much of the time. This source reads 256 KiB
 * at a time and, like the stdio source, warns JWRN_JPEG_EOF and supplies a fake EOI when the file ends. */
#define CSI_SOURCE_BUFFER (256 * 1024)

typedef struct {
    struct jpeg_source_mgr pub;
    FILE *file;
    JOCTET *buffer;
    int start_of_file;
} csi_source;

static void csi_source_init(j_decompress_ptr cinfo) {
    ((csi_source *)cinfo->src)->start_of_file = 1;
}

static boolean csi_source_fill(j_decompress_ptr cinfo) {
    csi_source *s = (csi_source *)cinfo->src;
    size_t n = fread(s->buffer, 1, CSI_SOURCE_BUFFER, s->file);
    if (n == 0) {
        if (s->start_of_file) {
            ERREXIT(cinfo, JERR_INPUT_EMPTY);
        }
        WARNMS(cinfo, JWRN_JPEG_EOF);
        s->buffer[0] = (JOCTET)0xFF;
        s->buffer[1] = (JOCTET)JPEG_EOI;
        n = 2;
    }
    s->pub.next_input_byte = s->buffer;
    s->pub.bytes_in_buffer = n;
    s->start_of_file = 0;
    return TRUE;
}

static void csi_source_skip(j_decompress_ptr cinfo, long count) {
    csi_source *s = (csi_source *)cinfo->src;
    if (count <= 0) {
        return;
    }
    while (count > (long)s->pub.bytes_in_buffer) {
        count -= (long)s->pub.bytes_in_buffer;
        (void)csi_source_fill(cinfo);
    }
    s->pub.next_input_byte += (size_t)count;
    s->pub.bytes_in_buffer -= (size_t)count;
}

static void csi_source_term(j_decompress_ptr cinfo) {
    (void)cinfo;
}

void csi_jpeg_source_attach(j_decompress_ptr cinfo, FILE *file);
void csi_jpeg_source_attach(j_decompress_ptr cinfo, FILE *file) {
    csi_source *s = (csi_source *)(*cinfo->mem->alloc_small)((j_common_ptr)cinfo, JPOOL_PERMANENT, sizeof(csi_source));
    s->buffer = (JOCTET *)(*cinfo->mem->alloc_large)((j_common_ptr)cinfo, JPOOL_PERMANENT, CSI_SOURCE_BUFFER);
    s->file = file;
    s->start_of_file = 1;
    s->pub.init_source = csi_source_init;
    s->pub.fill_input_buffer = csi_source_fill;
    s->pub.skip_input_data = csi_source_skip;
    s->pub.resync_to_restart = jpeg_resync_to_restart;
    s->pub.term_source = csi_source_term;
    s->pub.bytes_in_buffer = 0;
    s->pub.next_input_byte = NULL;
    cinfo->src = &s->pub;
}

static void csi_open_jpeg(csi_reader *r) {
    r->dinfo.err = jpeg_std_error(&r->jerr);
    r->jerr.error_exit = csi_jpeg_error_exit;
    r->jerr.emit_message = csi_jpeg_emit_message;
    r->jerr.output_message = csi_jpeg_output_message;
    r->dinfo.client_data = r;
    if (setjmp(r->jump)) {
        csi_jpeg_fail_from_jump(r);
        return;
    }
    jpeg_create_decompress(&r->dinfo);
    r->jpeg_created = 1;
    r->dinfo.mem->max_memory_to_use = CSI_JPEG_MAX_MEMORY;
    r->progress.progress_monitor = csi_jpeg_progress;
    r->dinfo.progress = &r->progress;
    csi_jpeg_source_attach(&r->dinfo, r->file);
    jpeg_read_header(&r->dinfo, TRUE);
    if (r->eof_hit) {
        r->override_code = CSI_TRUNCATED;
        snprintf(r->message, sizeof(r->message), "file ends inside the headers");
        longjmp(r->jump, 1);
    }
    if (!csi_check_pixels(r, r->dinfo.image_width, r->dinfo.image_height, "JPEG")) {
        longjmp(r->jump, 1);
    }
    r->info.format = CSI_FORMAT_JPEG;
    r->info.source_width = r->dinfo.image_width;
    r->info.source_height = r->dinfo.image_height;
    r->info.interlaced = r->dinfo.progressive_mode ? 1 : 0;
    r->info.source_channels = r->dinfo.num_components;
}

static void csi_open_png(csi_reader *r) {
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, csi_png_error, csi_png_warning);
    if (r->png == NULL) {
        csi_reader_fail(r, CSI_TOO_LARGE, "PNG: out of memory");
        return;
    }
    r->png_info = png_create_info_struct(r->png);
    if (r->png_info == NULL) {
        csi_reader_fail(r, CSI_TOO_LARGE, "PNG: out of memory");
        return;
    }
    if (setjmp(r->jump)) {
        csi_png_fail_from_jump(r);
        return;
    }
    png_set_read_fn(r->png, r, csi_png_read);
    png_set_user_limits(r->png, 0x7fffffffu, 0x7fffffffu);
    /* Text and other metadata chunks are not needed for pixels: skipped unread (a compressed-text bomb
     * would otherwise be inflated by libpng), and any chunk libpng must hold is capped at 8 MiB. */
    static const png_byte skipped[] = {'t', 'E', 'X', 't', '\0', 'z', 'T', 'X', 't', '\0', 'i', 'T', 'X', 't', '\0',
                                       'i', 'C', 'C', 'P', '\0', 's', 'P', 'L', 'T', '\0', 'e', 'X', 'I', 'f', '\0'};
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, skipped, 6);
    png_set_chunk_malloc_max(r->png, 8 * 1024 * 1024);
    png_read_info(r->png, r->png_info);
    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(r->png, r->png_info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if (!csi_check_pixels(r, width, height, "PNG")) {
        longjmp(r->jump, 1);
    }
    if (r->max_pixels != 0 && interlace != PNG_INTERLACE_NONE &&
        (uint64_t)width * height > CSI_INTERLACED_MAX_PIXELS) {
        r->override_code = CSI_TOO_LARGE;
        snprintf(r->message, sizeof(r->message), "interlaced image of %ux%u pixels exceeds the limit of %llu pixels",
                 (unsigned)width, (unsigned)height, (unsigned long long)CSI_INTERLACED_MAX_PIXELS);
        longjmp(r->jump, 1);
    }
    int has_trns = png_get_valid(r->png, r->png_info, PNG_INFO_tRNS) != 0;
    int channels;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: channels = has_trns ? 2 : 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
    default: channels = has_trns ? 4 : 3; break;
    }
    r->info.format = CSI_FORMAT_PNG;
    r->info.source_width = width;
    r->info.source_height = height;
    r->info.interlaced = interlace != PNG_INTERLACE_NONE;
    r->info.source_channels = channels;
}

/* Opens `path` for reading if it is a regular file. The open is non-blocking, so a FIFO or a device is
 * refused at once instead of waiting for a writer (or a file swapped for one since the caller looked);
 * blocking reads are restored for a regular file. Shared with the coefficient reader. */
FILE *csi_open_regular_file(const char *path, uint64_t *size, csi_status *status);
FILE *csi_open_regular_file(const char *path, uint64_t *size, csi_status *status) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        csi_set_status(status, CSI_NOT_FOUND, "cannot open %s: %s", path, strerror(error));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        csi_set_status(status, CSI_NOT_FOUND, "%s is not a regular file", path);
        return NULL;
    }
    int flags = fcntl(fd, F_GETFL);
    FILE *file = NULL;
    if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 || (file = fdopen(fd, "rb")) == NULL) {
        int error = errno;
        close(fd);
        csi_set_status(status, CSI_NOT_FOUND, "cannot open %s: %s", path, strerror(error));
        return NULL;
    }
    if (size != NULL) {
        *size = (uint64_t)st.st_size;
    }
    return file;
}

static csi_reader *csi_reader_open_stream(FILE *file, const char *path, uint64_t size, uint64_t max_pixels,
                                          int lenient, csi_status *status);

csi_reader *csi_reader_open(const char *path, uint64_t max_pixels, int lenient, csi_status *status) {
    csi_clear_status(status);
    if (path == NULL) {
        csi_set_status(status, CSI_NOT_FOUND, "no path");
        return NULL;
    }
    uint64_t size = 0;
    FILE *file = csi_open_regular_file(path, &size, status);
    if (file == NULL) {
        return NULL;
    }
    return csi_reader_open_stream(file, path, size, max_pixels, lenient, status);
}

csi_reader *csi_reader_open_memory(const uint8_t *bytes, size_t length, uint64_t max_pixels, int lenient,
                                   csi_status *status) {
    csi_clear_status(status);
    if (bytes == NULL || length == 0) {
        csi_set_status(status, CSI_UNSUPPORTED, "the image is empty");
        return NULL;
    }
    FILE *file = fmemopen((void *)bytes, length, "rb");
    if (file == NULL) {
        csi_set_status(status, CSI_TOO_LARGE, "cannot open the image in memory");
        return NULL;
    }
    return csi_reader_open_stream(file, "the image", (uint64_t)length, max_pixels, lenient, status);
}

static csi_reader *csi_reader_open_stream(FILE *file, const char *path, uint64_t size, uint64_t max_pixels,
                                          int lenient, csi_status *status) {
    static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    static const uint8_t jpeg_magic[3] = {0xFF, 0xD8, 0xFF};
    uint8_t head[8];
    size_t got = fread(head, 1, sizeof(head), file);
    int format = 0;
    if (got >= 3 && memcmp(head, jpeg_magic, 3) == 0) {
        format = CSI_FORMAT_JPEG;
    } else if (got == 8 && memcmp(head, png_magic, 8) == 0) {
        format = CSI_FORMAT_PNG;
    } else if (got == 0) {
        fclose(file);
        csi_set_status(status, CSI_UNSUPPORTED, "%s is empty", path);
        return NULL;
    } else if ((got < 3 && memcmp(head, jpeg_magic, got) == 0) || (got < 8 && memcmp(head, png_magic, got) == 0)) {
        fclose(file);
        csi_set_status(status, CSI_TRUNCATED, "%s ends inside the signature", path);
        return NULL;
    } else {
        fclose(file);
        csi_set_status(status, CSI_UNSUPPORTED, "%s is neither JPEG nor PNG", path);
        return NULL;
    }
    if (fseek(file, 0, SEEK_SET) != 0) {
        fclose(file);
        csi_set_status(status, CSI_CORRUPT, "cannot seek in %s", path);
        return NULL;
    }
    csi_reader *r = calloc(1, sizeof(csi_reader));
    if (r == NULL) {
        fclose(file);
        csi_set_status(status, CSI_TOO_LARGE, "out of memory");
        return NULL;
    }
    r->file = file;
    r->info.file_size = size;
    r->lenient = lenient;
    r->max_pixels = max_pixels;
    if (format == CSI_FORMAT_JPEG) {
        csi_open_jpeg(r);
    } else {
        csi_open_png(r);
    }
    if (r->failed) {
        csi_reader_report(r, status);
        csi_reader_close(r);
        return NULL;
    }
    return r;
}

void csi_reader_get_info(const csi_reader *r, csi_reader_info *info) {
    if (r != NULL && info != NULL) {
        *info = r->info;
    }
}

/* ------------------------------------------------------------------ start */

static void csi_start_jpeg(csi_reader *r, uint32_t min_width, uint32_t min_height) {
    if (setjmp(r->jump)) {
        csi_jpeg_fail_from_jump(r);
        return;
    }
    if (r->jpeg_luma_only) {
        if (r->dinfo.jpeg_color_space != JCS_YCbCr && r->dinfo.jpeg_color_space != JCS_GRAYSCALE) {
            r->override_code = CSI_UNSUPPORTED;
            snprintf(r->message, sizeof(r->message), "no luminance component (JPEG colour space %d)",
                     (int)r->dinfo.jpeg_color_space);
            longjmp(r->jump, 1);
        }
        /* libjpeg copies Y through and skips the chroma components' IDCT and upsampling. */
        r->dinfo.out_color_space = JCS_GRAYSCALE;
    } else if (r->dinfo.jpeg_color_space == JCS_CMYK || r->dinfo.jpeg_color_space == JCS_YCCK) {
        r->dinfo.out_color_space = JCS_CMYK;
        r->jpeg_cmyk = 1;
        r->jpeg_adobe_inverted = r->dinfo.saw_Adobe_marker ? 1 : 0;
    } else {
        r->dinfo.out_color_space = JCS_RGB;
    }
    r->dinfo.scale_denom = 8;
    r->dinfo.scale_num = 8;
    if (r->lenient) {
        /* Thumbnails: the fast integer IDCT and plain upsampling differ invisibly after downscaling. */
        r->dinfo.dct_method = JDCT_IFAST;
        r->dinfo.do_fancy_upsampling = FALSE;
    }
    if (min_width != 0 || min_height != 0) {
        for (unsigned num = 1; num <= 8; num++) {
            r->dinfo.scale_num = num;
            jpeg_calc_output_dimensions(&r->dinfo);
            if (r->dinfo.output_width >= min_width && r->dinfo.output_height >= min_height) {
                break;
            }
        }
    }
    jpeg_start_decompress(&r->dinfo);
    if (r->eof_hit) {
        if (!r->lenient) {
            r->override_code = CSI_TRUNCATED;
            snprintf(r->message, sizeof(r->message), "file ends inside the image data");
            longjmp(r->jump, 1);
        }
        r->info.truncated = 1;
    }
    int expected = r->jpeg_luma_only ? 1 : (r->jpeg_cmyk ? 4 : 3);
    if (r->dinfo.output_components != expected) {
        r->override_code = CSI_UNSUPPORTED;
        snprintf(r->message, sizeof(r->message), "unexpected %d output components", r->dinfo.output_components);
        longjmp(r->jump, 1);
    }
    r->info.output_width = r->dinfo.output_width;
    r->info.output_height = r->dinfo.output_height;
    if (r->jpeg_cmyk) {
        size_t bytes;
        if (!csi_checked_mul(r->info.output_width, 4, &bytes) || (r->scratch = malloc(bytes)) == NULL) {
            r->override_code = CSI_TOO_LARGE;
            snprintf(r->message, sizeof(r->message), "out of memory");
            longjmp(r->jump, 1);
        }
    }
}

static void csi_start_png(csi_reader *r) {
    if (setjmp(r->jump)) {
        if (r->png_image != NULL && r->lenient && r->eof_hit && r->override_code == CSI_OK) {
            /* Interlaced file cut short: keep what arrived, the rest stays padding. */
            r->png_data_ended = 1;
            r->info.truncated = 1;
            return;
        }
        csi_png_fail_from_jump(r);
        return;
    }
    png_structp png = r->png;
    png_infop info = r->png_info;
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if ((color_type & PNG_COLOR_MASK_COLOR) == 0 && bit_depth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (png_get_valid(png, info, PNG_INFO_tRNS)) {
        png_set_tRNS_to_alpha(png);
    }
    if (bit_depth == 16) {
        png_set_scale_16(png);
    }
    if ((color_type & PNG_COLOR_MASK_COLOR) == 0) {
        png_set_gray_to_rgb(png);
    }
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    r->png_channels = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    uint32_t width = r->info.source_width;
    uint32_t height = r->info.source_height;
    size_t expected_rowbytes;
    if ((r->png_channels != 3 && r->png_channels != 4) || png_get_bit_depth(png, info) != 8 ||
        !csi_checked_mul(width, (size_t)r->png_channels, &expected_rowbytes) || rowbytes != expected_rowbytes) {
        r->override_code = CSI_UNSUPPORTED;
        snprintf(r->message, sizeof(r->message), "unexpected transformed row layout");
        longjmp(r->jump, 1);
    }
    r->info.output_width = width;
    r->info.output_height = height;
    r->scratch = malloc(rowbytes);
    if (r->scratch == NULL) {
        r->override_code = CSI_TOO_LARGE;
        snprintf(r->message, sizeof(r->message), "out of memory");
        longjmp(r->jump, 1);
    }
    if (r->info.interlaced) {
        size_t total;
        if (!csi_checked_mul(rowbytes, height, &total) || (r->png_image = malloc(total)) == NULL) {
            r->override_code = CSI_TOO_LARGE;
            snprintf(r->message, sizeof(r->message), "out of memory for an interlaced image");
            longjmp(r->jump, 1);
        }
        memset(r->png_image, CSI_PAD_VALUE, total);
        if (r->png_channels == 4) {
            for (size_t i = 3; i < total; i += 4) {
                r->png_image[i] = 0xFF;
            }
        }
        for (int pass = 0; pass < passes; pass++) {
            for (uint32_t y = 0; y < height; y++) {
                png_read_row(png, r->png_image + (size_t)y * rowbytes, NULL);
            }
        }
    }
}

int32_t csi_reader_start(csi_reader *r, uint32_t min_width, uint32_t min_height, csi_status *status) {
    csi_clear_status(status);
    if (r == NULL) {
        csi_set_status(status, CSI_CORRUPT, "no reader");
        return CSI_CORRUPT;
    }
    if (r->failed) {
        return csi_reader_report(r, status);
    }
    if (r->started) {
        csi_reader_fail(r, CSI_CORRUPT, "reader already started");
        return csi_reader_report(r, status);
    }
    r->started = 1;
    if (r->max_pixels == 0) {
        csi_reader_fail(r, CSI_TOO_LARGE, "reader was opened for the header only");
        return csi_reader_report(r, status);
    }
    if (r->info.format == CSI_FORMAT_JPEG) {
        csi_start_jpeg(r, min_width, min_height);
    } else {
        csi_start_png(r);
    }
    if (r->failed) {
        return csi_reader_report(r, status);
    }
    return CSI_OK;
}

int32_t csi_reader_start_luma(csi_reader *r, csi_status *status) {
    csi_clear_status(status);
    if (r == NULL) {
        csi_set_status(status, CSI_CORRUPT, "no reader");
        return CSI_CORRUPT;
    }
    if (!r->failed && !r->started && r->info.format != CSI_FORMAT_JPEG) {
        csi_reader_fail(r, CSI_UNSUPPORTED, "only a JPEG has a luminance component of its own");
        return csi_reader_report(r, status);
    }
    r->jpeg_luma_only = 1;
    return csi_reader_start(r, 0, 0, status);
}

/* ------------------------------------------------------------------ rows */

static void csi_pad_rows(uint8_t *dst, uint32_t rows, uint32_t width) {
    memset(dst, CSI_PAD_VALUE, (size_t)rows * width * 3);
}

static void csi_read_jpeg_rows(csi_reader *r, uint8_t *dst, uint32_t count) {
    size_t stride = (size_t)r->info.output_width * (r->jpeg_luma_only ? 1 : 3);
    if (setjmp(r->jump)) {
        csi_jpeg_fail_from_jump(r);
        return;
    }
    while (r->next_row - r->call_start_row < count) {
        uint8_t *out = dst + (size_t)(r->next_row - r->call_start_row) * stride;
        JSAMPROW row = r->jpeg_cmyk ? r->scratch : out;
        JDIMENSION got = jpeg_read_scanlines(&r->dinfo, &row, 1);
        if (got != 1) {
            r->override_code = CSI_CORRUPT;
            snprintf(r->message, sizeof(r->message), "decoder delivered no scanline");
            longjmp(r->jump, 1);
        }
        if (r->jpeg_cmyk) {
            csi_cmyk_to_rgb(r->scratch, out, r->info.output_width, r->jpeg_adobe_inverted);
        }
        if (r->eof_hit) {
            if (!r->lenient) {
                r->override_code = CSI_TRUNCATED;
                snprintf(r->message, sizeof(r->message), "file ends inside the image data");
                longjmp(r->jump, 1);
            }
            r->info.truncated = 1;
        }
        r->next_row++;
    }
}

static void csi_read_png_rows(csi_reader *r, uint8_t *dst, uint32_t count) {
    uint32_t width = r->info.output_width;
    size_t stride = (size_t)width * 3;
    size_t rowbytes = (size_t)width * (size_t)r->png_channels;
    if (setjmp(r->jump)) {
        if (r->lenient && r->eof_hit && r->override_code == CSI_OK) {
            r->png_data_ended = 1;
            r->info.truncated = 1;
        } else {
            csi_png_fail_from_jump(r);
            return;
        }
    }
    while (r->next_row - r->call_start_row < count) {
        uint8_t *out = dst + (size_t)(r->next_row - r->call_start_row) * stride;
        const uint8_t *source;
        if (r->png_image != NULL) {
            source = r->png_image + (size_t)r->next_row * rowbytes;
        } else if (r->png_data_ended) {
            csi_pad_rows(out, 1, width);
            r->next_row++;
            continue;
        } else {
            png_read_row(r->png, r->scratch, NULL);
            source = r->scratch;
        }
        if (r->png_channels == 4) {
            csi_rgba_to_rgb(source, out, width);
        } else {
            memcpy(out, source, stride);
        }
        r->next_row++;
    }
}

int32_t csi_reader_read_rows(csi_reader *r, uint8_t *dst, uint32_t count, csi_status *status) {
    csi_clear_status(status);
    if (r == NULL || dst == NULL) {
        csi_set_status(status, CSI_CORRUPT, "no reader or buffer");
        return CSI_CORRUPT;
    }
    if (r->failed) {
        return csi_reader_report(r, status);
    }
    if (!r->started || r->finished || count > r->info.output_height - r->next_row) {
        csi_reader_fail(r, CSI_CORRUPT, "rows requested outside the image");
        return csi_reader_report(r, status);
    }
    r->call_start_row = r->next_row;
    if (r->info.format == CSI_FORMAT_JPEG) {
        csi_read_jpeg_rows(r, dst, count);
    } else {
        csi_read_png_rows(r, dst, count);
    }
    if (r->failed) {
        return csi_reader_report(r, status);
    }
    return CSI_OK;
}

/* ------------------------------------------------------------------ finish / close */

int32_t csi_reader_finish(csi_reader *r, csi_status *status) {
    csi_clear_status(status);
    if (r == NULL) {
        csi_set_status(status, CSI_CORRUPT, "no reader");
        return CSI_CORRUPT;
    }
    if (r->failed) {
        return csi_reader_report(r, status);
    }
    if (!r->started || r->finished || r->next_row != r->info.output_height) {
        csi_reader_fail(r, CSI_CORRUPT, "finish before all rows were read");
        return csi_reader_report(r, status);
    }
    r->finished = 1;
    if (r->info.truncated) {
        return CSI_OK; /* lenient mode already accepted the loss */
    }
    if (r->info.format == CSI_FORMAT_JPEG) {
        if (setjmp(r->jump)) {
            csi_jpeg_fail_from_jump(r);
            return csi_reader_report(r, status);
        }
        jpeg_finish_decompress(&r->dinfo);
        if (r->eof_hit) {
            if (!r->lenient) {
                r->override_code = CSI_TRUNCATED;
                snprintf(r->message, sizeof(r->message), "file ends before the end-of-image marker");
                longjmp(r->jump, 1);
            }
            r->info.truncated = 1;
        }
    } else {
        if (setjmp(r->jump)) {
            if (r->lenient && r->eof_hit && r->override_code == CSI_OK) {
                r->info.truncated = 1;
                return CSI_OK;
            }
            csi_png_fail_from_jump(r);
            return csi_reader_report(r, status);
        }
        png_read_end(r->png, NULL);
    }
    return CSI_OK;
}

void csi_reader_close(csi_reader *r) {
    if (r == NULL) {
        return;
    }
    if (r->jpeg_created) {
        jpeg_destroy_decompress(&r->dinfo);
    }
    if (r->png != NULL) {
        png_destroy_read_struct(&r->png, r->png_info != NULL ? &r->png_info : NULL, NULL);
    }
    free(r->png_image);
    free(r->scratch);
    if (r->file != NULL) {
        fclose(r->file);
    }
    free(r);
}
