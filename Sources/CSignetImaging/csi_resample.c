/*
 * Area-average (box filter) downsampler for packed RGB rows, streaming one input row at a time.
 *
 * Geometry in exact integers: scale the input axis by out and the output axis by in, so input
 * pixel x covers [x*out, (x+1)*out) and output pixel j covers [j*in, (j+1)*in). Because
 * out <= in, one input pixel overlaps at most two output pixels; the overlap lengths are its
 * weights, and every output pixel receives a total weight of exactly `in` per axis.
 */
#include "csi_common.h"

#include <stdlib.h>

typedef struct csi_axis_weight {
    uint32_t first;        /* output index receiving weight0 */
    uint32_t weight0;
    uint32_t weight1;      /* weight for first + 1 (0 when the pixel lies inside one output) */
} csi_axis_weight;

struct csi_resampler {
    uint32_t in_width, in_height, out_width, out_height;
    uint32_t next_in_row;
    uint32_t current_out_row; /* output row accumulating in acc[current] */
    int current;              /* which of the two accumulators holds current_out_row */
    csi_axis_weight *columns; /* in_width entries */
    double *horizontal;       /* out_width * 3: current input row reduced horizontally */
    double *acc[2];           /* out_width * 3 each */
    double normaliser;        /* 1 / (in_width * in_height) */
};

static void csi_axis_weight_for(uint32_t index, uint32_t in, uint32_t out, csi_axis_weight *w) {
    uint64_t start = (uint64_t)index * out;
    uint64_t end = start + out;
    uint64_t first = start / in;
    uint64_t boundary = (first + 1) * in;
    w->first = (uint32_t)first;
    if (end <= boundary) {
        w->weight0 = out;
        w->weight1 = 0;
    } else {
        w->weight0 = (uint32_t)(boundary - start);
        w->weight1 = (uint32_t)(end - boundary);
    }
}

csi_resampler *csi_resampler_create(uint32_t in_width, uint32_t in_height, uint32_t out_width, uint32_t out_height) {
    if (in_width == 0 || in_height == 0 || out_width == 0 || out_height == 0 || out_width > in_width ||
        out_height > in_height) {
        return NULL;
    }
    if ((size_t)out_width > SIZE_MAX / (3 * sizeof(double)) || (size_t)in_width > SIZE_MAX / sizeof(csi_axis_weight)) {
        return NULL;
    }
    csi_resampler *rs = calloc(1, sizeof(csi_resampler));
    if (rs == NULL) {
        return NULL;
    }
    size_t row = (size_t)out_width * 3;
    rs->columns = malloc((size_t)in_width * sizeof(csi_axis_weight));
    rs->horizontal = calloc(row, sizeof(double));
    rs->acc[0] = calloc(row, sizeof(double));
    rs->acc[1] = calloc(row, sizeof(double));
    if (rs->columns == NULL || rs->horizontal == NULL || rs->acc[0] == NULL || rs->acc[1] == NULL) {
        csi_resampler_destroy(rs);
        return NULL;
    }
    rs->in_width = in_width;
    rs->in_height = in_height;
    rs->out_width = out_width;
    rs->out_height = out_height;
    rs->normaliser = 1.0 / ((double)in_width * (double)in_height);
    for (uint32_t x = 0; x < in_width; x++) {
        csi_axis_weight_for(x, in_width, out_width, &rs->columns[x]);
    }
    return rs;
}

int32_t csi_resampler_push(csi_resampler *rs, const uint8_t *in_row, uint8_t *out_row) {
    if (rs == NULL || in_row == NULL || out_row == NULL || rs->next_in_row >= rs->in_height) {
        return 0;
    }
    size_t row = (size_t)rs->out_width * 3;
    double *h = rs->horizontal;
    memset(h, 0, row * sizeof(double));
    const csi_axis_weight *columns = rs->columns;
    for (uint32_t x = 0; x < rs->in_width; x++) {
        const uint8_t *p = in_row + (size_t)x * 3;
        const csi_axis_weight *w = &columns[x];
        double *target = h + (size_t)w->first * 3;
        double w0 = w->weight0;
        target[0] += p[0] * w0;
        target[1] += p[1] * w0;
        target[2] += p[2] * w0;
        if (w->weight1 != 0) {
            double w1 = w->weight1;
            target[3] += p[0] * w1;
            target[4] += p[1] * w1;
            target[5] += p[2] * w1;
        }
    }
    csi_axis_weight vertical;
    csi_axis_weight_for(rs->next_in_row, rs->in_height, rs->out_height, &vertical);
    rs->next_in_row++;
    double *current = rs->acc[rs->current];
    double *next = rs->acc[1 - rs->current];
    double v0 = vertical.weight0;
    for (size_t i = 0; i < row; i++) {
        current[i] += h[i] * v0;
    }
    if (vertical.weight1 != 0) {
        double v1 = vertical.weight1;
        for (size_t i = 0; i < row; i++) {
            next[i] += h[i] * v1;
        }
    }
    /* The current output row is complete once the input has reached its lower boundary. */
    uint64_t covered = (uint64_t)rs->next_in_row * rs->out_height;
    uint64_t boundary = ((uint64_t)rs->current_out_row + 1) * rs->in_height;
    if (covered < boundary) {
        return 0;
    }
    double scale = rs->normaliser;
    for (size_t i = 0; i < row; i++) {
        double value = current[i] * scale + 0.5;
        out_row[i] = value >= 255.0 ? 255 : (value <= 0.0 ? 0 : (uint8_t)value);
        current[i] = 0.0;
    }
    rs->current = 1 - rs->current;
    rs->current_out_row++;
    return 1;
}

void csi_resampler_destroy(csi_resampler *rs) {
    if (rs == NULL) {
        return;
    }
    free(rs->columns);
    free(rs->horizontal);
    free(rs->acc[0]);
    free(rs->acc[1]);
    free(rs);
}
