/*
 * CSignetImaging: thin C shims over libjpeg(-turbo) and libpng for SignetImaging.
 *
 * Every entry point catches the libraries' fatal errors itself (libjpeg's error_exit and
 * libpng's error callback both longjmp back to a setjmp inside the same entry point), so a
 * caller never sees a longjmp and never has its process terminated by corrupt input.
 * Failures are reported as a csi_code in a csi_status together with a human message.
 *
 * Objects returned by the open and create functions are owned by the caller and released with
 * the matching close or destroy function. After a failure a reader or writer is "poisoned": every further
 * call fails with the same status, and only *_close is meaningful.
 */
#ifndef CSIGNETIMAGING_H
#define CSIGNETIMAGING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes; they mirror ImagingError.Code in Swift. */
enum {
    CSI_OK = 0,
    CSI_NOT_FOUND = 1,
    CSI_UNSUPPORTED = 2,
    CSI_CORRUPT = 3,
    CSI_TRUNCATED = 4,
    CSI_TOO_LARGE = 5,
    CSI_ENCODE_FAILED = 6,
};

/** Container formats recognised by their magic bytes. */
enum {
    CSI_FORMAT_JPEG = 1,
    CSI_FORMAT_PNG = 2,
};

/** Result of a call: a csi_code and a NUL-terminated message (empty on success). */
typedef struct csi_status {
    int32_t code;
    char message[256];
} csi_status;

/** Absolute ceiling on the pixel count a reader accepts, whatever the caller asks for (2^28). */
#define CSI_ABSOLUTE_MAX_PIXELS ((uint64_t)1 << 28)
/** Ceiling on the pixel count of an interlaced PNG, which must be held in memory whole. */
#define CSI_INTERLACED_MAX_PIXELS ((uint64_t)1 << 25)
/** Ceiling on the number of scans in a progressive JPEG (guards against scan-flooding). */
#define CSI_MAX_JPEG_SCANS 100

/* ---------------------------------------------------------------- reading */

typedef struct csi_reader csi_reader;

typedef struct csi_reader_info {
    int32_t format;          /* CSI_FORMAT_* */
    uint32_t source_width;   /* dimensions stated by the header */
    uint32_t source_height;
    uint32_t output_width;   /* dimensions of the rows csi_reader_read_rows delivers (valid after start) */
    uint32_t output_height;
    int32_t interlaced;      /* PNG Adam7 or progressive JPEG */
    int32_t truncated;       /* set when the data ended early and the rest was padded (lenient mode) */
    int32_t source_channels; /* channels in the file: 1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha or CMYK */
    uint64_t file_size;      /* size of the file in bytes */
} csi_reader_info;

/**
 * Opens `path`, detects JPEG or PNG by magic bytes and reads the header only.
 * Images whose header claims more than min(max_pixels, CSI_ABSOLUTE_MAX_PIXELS) pixels fail
 * with CSI_TOO_LARGE before any pixel memory is allocated. max_pixels == 0 opens the file for
 * its header only: any size is accepted and csi_reader_start fails.
 * lenient != 0: data that ends early inside the pixel data is padded (mid grey) and flagged in
 * info.truncated instead of failing; strict mode fails with CSI_TRUNCATED.
 * Returns NULL on failure (status filled in).
 */
csi_reader *csi_reader_open(const char *path, uint64_t max_pixels, int lenient, csi_status *status);

/** As csi_reader_open, over `length` bytes in memory (which must outlive the reader). */
csi_reader *csi_reader_open_memory(const uint8_t *bytes, size_t length, uint64_t max_pixels, int lenient,
                                   csi_status *status);

void csi_reader_get_info(const csi_reader *reader, csi_reader_info *info);

/**
 * Starts decoding. For JPEG, chooses the smallest DCT scale (n/8) whose output is at least
 * min_width x min_height (0, 0 = full size). PNG is always delivered at full size.
 */
int32_t csi_reader_start(csi_reader *reader, uint32_t min_width, uint32_t min_height, csi_status *status);

/**
 * Starts decoding a JPEG (YCbCr or grayscale) at full size to the decoder's own luminance: read_rows then
 * delivers output_width bytes per row (Y as the IDCT made it, before any colour conversion). Other formats
 * and colour spaces fail with CSI_UNSUPPORTED.
 */
int32_t csi_reader_start_luma(csi_reader *reader, csi_status *status);

/** Delivers the next `count` rows as packed RGB (output_width * 3 bytes per row) into dst. */
int32_t csi_reader_read_rows(csi_reader *reader, uint8_t *dst, uint32_t count, csi_status *status);

/** Strict mode: reads to the end of the image data (JPEG EOI, PNG IEND) and reports truncation. */
int32_t csi_reader_finish(csi_reader *reader, csi_status *status);

void csi_reader_close(csi_reader *reader);

/* ---------------------------------------------------------------- resampling */

typedef struct csi_resampler csi_resampler;

/**
 * Area-average (box) downsampler for packed RGB rows. Requires out <= in in both dimensions.
 * Holds two output rows of accumulators; input rows are pushed one at a time.
 * Returns NULL if the dimensions are invalid or memory is exhausted.
 */
csi_resampler *csi_resampler_create(uint32_t in_width, uint32_t in_height, uint32_t out_width, uint32_t out_height);

/** Pushes one input row; returns 1 when an output row was completed and written to out_row, else 0. */
int32_t csi_resampler_push(csi_resampler *resampler, const uint8_t *in_row, uint8_t *out_row);

void csi_resampler_destroy(csi_resampler *resampler);

/* ---------------------------------------------------------------- encoding */

typedef struct csi_jpeg_writer csi_jpeg_writer;

/**
 * Starts a baseline JPEG (YCbCr 4:2:0) of width x height RGB pixels, written to `path`, or to
 * memory when path is NULL. optimize != 0 computes optimal Huffman tables (memory only: it makes
 * libjpeg buffer the whole image). On failure returns NULL and removes a partially written file.
 */
csi_jpeg_writer *csi_jpeg_writer_open(const char *path, uint32_t width, uint32_t height, int quality,
                                      int optimize, csi_status *status);

/** Writes `count` packed RGB rows (width * 3 bytes each). */
int32_t csi_jpeg_writer_write_rows(csi_jpeg_writer *writer, const uint8_t *rows, uint32_t count, csi_status *status);

/** Completes the file (all rows must have been written). A file is flushed and closed. */
int32_t csi_jpeg_writer_finish(csi_jpeg_writer *writer, csi_status *status);

/** The encoded bytes of a finished memory writer (NULL otherwise). */
const uint8_t *csi_jpeg_writer_data(const csi_jpeg_writer *writer, size_t *length);

/** Releases the writer; an unfinished or failed file output is deleted. */
void csi_jpeg_writer_close(csi_jpeg_writer *writer);

/** Colour layouts for csi_jpeg_encode_variant. */
enum {
    CSI_VARIANT_GRAY = 0,   /* 1 input channel, 1 component */
    CSI_VARIANT_YCBCR = 1,  /* 3 input channels (RGB), stored as YCbCr */
    CSI_VARIANT_CMYK = 2,   /* 4 input channels, stored as CMYK with an Adobe marker */
    CSI_VARIANT_YCCK = 3,   /* 4 input channels (CMYK), stored as YCCK with an Adobe marker */
};

/**
 * Encodes a whole image to memory with a chosen colour layout, optionally progressive.
 * Mainly for producing test inputs (grayscale, CMYK, YCCK, progressive). *out is malloc'ed;
 * release with csi_free.
 */
int32_t csi_jpeg_encode_variant(const uint8_t *pixels, uint32_t width, uint32_t height, int variant,
                                int progressive, int quality, uint8_t **out, size_t *length, csi_status *status);

/** Encodes packed RGB pixels as an 8-bit RGB PNG. *out is malloc'ed; release with csi_free. */
int32_t csi_png_encode(const uint8_t *rgb, uint32_t width, uint32_t height, uint8_t **out, size_t *length,
                       csi_status *status);

void csi_free(void *pointer);

/* ---------------------------------------------------------------- DCT coefficients */

#define CSI_MAX_DCT_COMPONENTS 4

/** One component's quantised DCT coefficients, as stored in the file (not dequantised). */
typedef struct csi_dct_component {
    int32_t h_samp, v_samp;       /* sampling factors */
    int32_t quant_index;          /* which DQT table (0...3) */
    uint32_t width_in_blocks, height_in_blocks;
    uint16_t quant[64];           /* the component's quantisation table, natural (row-major) order */
    int16_t *coefficients;        /* width_in_blocks * height_in_blocks blocks of 64, natural order, row-major */
} csi_dct_component;

typedef struct csi_dct_image {
    uint32_t width, height;
    int32_t progressive;
    int32_t truncated;            /* the entropy-coded data ended early (the rest reads as zeros) */
    int32_t max_h_samp, max_v_samp;
    int32_t jpeg_color_space;     /* libjpeg's J_COLOR_SPACE of the file */
    int32_t total_components;     /* components in the file */
    int32_t component_count;      /* components delivered below */
    csi_dct_component components[CSI_MAX_DCT_COMPONENTS];
} csi_dct_image;

/**
 * Reads the quantised DCT coefficients of up to max_components components (0 = all) of the JPEG
 * at `path`, without decoding pixels. Files with more than max_blocks blocks (summed over every
 * component) fail with CSI_TOO_LARGE before the coefficient arrays are allocated.
 * On success the caller releases *out with csi_dct_image_free; on failure nothing is held.
 */
int32_t csi_jpeg_read_coefficients(const char *path, uint64_t max_blocks, int32_t max_components, csi_dct_image *out,
                                   csi_status *status);

void csi_dct_image_free(csi_dct_image *image);

/* ---------------------------------------------------------------- sample pictures */

/** One row of a deterministic natural-looking picture (gradients, shapes, mild texture). */
void csi_sample_fill_row(uint32_t y, uint32_t width, uint32_t height, uint64_t seed, uint8_t *dst);

/** One row of the same picture overlaid with heavy per-pixel noise (high entropy for JPEG size tests). */
void csi_sample_fill_noisy_row(uint32_t y, uint32_t width, uint32_t height, uint64_t seed, uint8_t *dst);

#ifdef __cplusplus
}
#endif

#endif
