/*
 * DCT coefficients of a JPEG's components, read with libjpeg's coefficient API (entropy decoding
 * only: no inverse DCT, no upsampling, no colour conversion). The detector's DCT-domain signals
 * work on these.
 *
 * Error handling as in csi_reader.c: libjpeg's error_exit longjmps to a setjmp armed in the one
 * public entry point, and only heap state is touched after the jump.
 */
#include "csi_common.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jerror.h>
#include <jpeglib.h>

/* Defined in csi_reader.c: a 256 KiB source manager that supplies a fake EOI at end of file. */
void csi_jpeg_source_attach(j_decompress_ptr cinfo, FILE *file);
/* Defined in csi_reader.c: opens a regular file for reading (never waits on a FIFO). */
FILE *csi_open_regular_file(const char *path, uint64_t *size, csi_status *status);
/* Defined in csi_reader.c: the csi_code for a fatal libjpeg error. */
int32_t csi_jpeg_library_code(int msg_code);

typedef struct {
    struct jpeg_decompress_struct dinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    int eof_hit;
    /* libjpeg warned that the entropy-coded data is damaged (see csi_coef_emit_message). */
    int damaged;
    char damage[JMSG_LENGTH_MAX];
    int override_code;
    int library_code;
    int created;
    char message[200];
} csi_coefficient_job;

static void csi_coef_error_exit(j_common_ptr cinfo) {
    csi_coefficient_job *job = (csi_coefficient_job *)cinfo->client_data;
    job->library_code = cinfo->err->msg_code;
    (*cinfo->err->format_message)(cinfo, job->message);
    longjmp(job->jump, 1);
}

static void csi_coef_emit_message(j_common_ptr cinfo, int msg_level) {
    csi_coefficient_job *job = (csi_coefficient_job *)cinfo->client_data;
    if (msg_level >= 0) {
        return;
    }
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
        job->eof_hit = 1;
        break;
    /* The entropy decoder met a marker, or a code no table holds, before the scan was complete: libjpeg
     * goes on with zero coefficients, so what it returns is not the file's picture. */
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
        if (!job->damaged) {
            job->damaged = 1;
            (*cinfo->err->format_message)(cinfo, job->damage);
        }
        break;
    default:
        break;
    }
}

static void csi_coef_output_message(j_common_ptr cinfo) {
    (void)cinfo;
}

static void csi_coef_progress(j_common_ptr cinfo) {
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > CSI_MAX_JPEG_SCANS) {
        csi_coefficient_job *job = (csi_coefficient_job *)cinfo->client_data;
        job->override_code = CSI_CORRUPT;
        snprintf(job->message, sizeof(job->message), "JPEG has more than %d scans", CSI_MAX_JPEG_SCANS);
        longjmp(job->jump, 1);
    }
}

static int32_t csi_coef_code(const csi_coefficient_job *job) {
    if (job->override_code != CSI_OK) {
        return job->override_code;
    }
    return csi_jpeg_library_code(job->library_code);
}

void csi_dct_image_free(csi_dct_image *image) {
    if (image == NULL) {
        return;
    }
    for (int c = 0; c < CSI_MAX_DCT_COMPONENTS; c++) {
        free(image->components[c].coefficients);
        image->components[c].coefficients = NULL;
    }
    image->component_count = 0;
}

int32_t csi_jpeg_read_coefficients(const char *path, uint64_t max_blocks, int32_t max_components, csi_dct_image *out,
                                   csi_status *status) {
    csi_clear_status(status);
    if (path == NULL || out == NULL) {
        csi_set_status(status, CSI_NOT_FOUND, "no path");
        return CSI_NOT_FOUND;
    }
    memset(out, 0, sizeof(*out));
    FILE *file = csi_open_regular_file(path, NULL, status);
    if (file == NULL) {
        return status != NULL ? status->code : CSI_NOT_FOUND;
    }
    csi_coefficient_job *job = (csi_coefficient_job *)calloc(1, sizeof(csi_coefficient_job));
    if (job == NULL) {
        fclose(file);
        csi_set_status(status, CSI_TOO_LARGE, "out of memory");
        return CSI_TOO_LARGE;
    }
    job->dinfo.err = jpeg_std_error(&job->jerr);
    job->jerr.error_exit = csi_coef_error_exit;
    job->jerr.emit_message = csi_coef_emit_message;
    job->jerr.output_message = csi_coef_output_message;
    job->dinfo.client_data = job;
    if (setjmp(job->jump)) {
        int32_t code = csi_coef_code(job);
        if (code == CSI_CORRUPT && job->eof_hit) {
            code = CSI_TRUNCATED;
        }
        csi_set_status(status, code, "JPEG: %s", job->message);
        csi_dct_image_free(out);
        if (job->created) {
            jpeg_destroy_decompress(&job->dinfo);
        }
        fclose(file);
        free(job);
        return code;
    }
    jpeg_create_decompress(&job->dinfo);
    job->created = 1;
    job->dinfo.mem->max_memory_to_use = 1024L * 1024L * 1024L;
    job->progress.progress_monitor = csi_coef_progress;
    job->dinfo.progress = &job->progress;
    csi_jpeg_source_attach(&job->dinfo, file);
    jpeg_read_header(&job->dinfo, TRUE);
    if (job->eof_hit) {
        job->override_code = CSI_TRUNCATED;
        snprintf(job->message, sizeof(job->message), "file ends inside the headers");
        longjmp(job->jump, 1);
    }
    /* Bound the work before libjpeg allocates the coefficient arrays. */
    uint64_t blocks = 0;
    for (int c = 0; c < job->dinfo.num_components; c++) {
        jpeg_component_info *comp = &job->dinfo.comp_info[c];
        uint64_t w = (job->dinfo.image_width * (uint64_t)comp->h_samp_factor + 8 * job->dinfo.max_h_samp_factor - 1) /
                     (8 * (uint64_t)job->dinfo.max_h_samp_factor);
        uint64_t h = (job->dinfo.image_height * (uint64_t)comp->v_samp_factor + 8 * job->dinfo.max_v_samp_factor - 1) /
                     (8 * (uint64_t)job->dinfo.max_v_samp_factor);
        blocks += w * h;
    }
    if (blocks > max_blocks) {
        job->override_code = CSI_TOO_LARGE;
        snprintf(job->message, sizeof(job->message), "image of %ux%u pixels holds %llu DCT blocks, above the limit of %llu",
                 job->dinfo.image_width, job->dinfo.image_height, (unsigned long long)blocks,
                 (unsigned long long)max_blocks);
        longjmp(job->jump, 1);
    }
    jvirt_barray_ptr *arrays = jpeg_read_coefficients(&job->dinfo);
    /* Damaged entropy-coded data (a file merely cut short is reported as truncated instead). */
    if (job->damaged && !job->eof_hit) {
        job->override_code = CSI_CORRUPT;
        snprintf(job->message, sizeof(job->message), "the compressed picture data is damaged (%s)", job->damage);
        longjmp(job->jump, 1);
    }
    out->width = job->dinfo.image_width;
    out->height = job->dinfo.image_height;
    out->progressive = job->dinfo.progressive_mode ? 1 : 0;
    out->truncated = job->eof_hit ? 1 : 0;
    out->max_h_samp = job->dinfo.max_h_samp_factor;
    out->max_v_samp = job->dinfo.max_v_samp_factor;
    out->jpeg_color_space = (int32_t)job->dinfo.jpeg_color_space;
    int count = job->dinfo.num_components;
    if (count > CSI_MAX_DCT_COMPONENTS) {
        count = CSI_MAX_DCT_COMPONENTS;
    }
    if (max_components > 0 && count > max_components) {
        count = max_components;
    }
    out->total_components = job->dinfo.num_components;
    for (int c = 0; c < count; c++) {
        jpeg_component_info *comp = &job->dinfo.comp_info[c];
        csi_dct_component *dst = &out->components[c];
        dst->h_samp = comp->h_samp_factor;
        dst->v_samp = comp->v_samp_factor;
        dst->quant_index = comp->quant_tbl_no;
        dst->width_in_blocks = comp->width_in_blocks;
        dst->height_in_blocks = comp->height_in_blocks;
        if (comp->quant_table != NULL) {
            for (int i = 0; i < 64; i++) {
                dst->quant[i] = comp->quant_table->quantval[i];
            }
        }
        size_t block_count = (size_t)comp->width_in_blocks * (size_t)comp->height_in_blocks;
        dst->coefficients = (int16_t *)malloc(block_count * 64 * sizeof(int16_t) + 1);
        if (dst->coefficients == NULL) {
            job->override_code = CSI_TOO_LARGE;
            snprintf(job->message, sizeof(job->message), "out of memory for %zu DCT blocks", block_count);
            longjmp(job->jump, 1);
        }
        out->component_count = c + 1;
        for (JDIMENSION row = 0; row < comp->height_in_blocks; row++) {
            JBLOCKARRAY buffer =
                (*job->dinfo.mem->access_virt_barray)((j_common_ptr)&job->dinfo, arrays[c], row, 1, FALSE);
            int16_t *target = dst->coefficients + (size_t)row * comp->width_in_blocks * 64;
            for (JDIMENSION col = 0; col < comp->width_in_blocks; col++) {
                for (int k = 0; k < 64; k++) {
                    target[(size_t)col * 64 + k] = (int16_t)buffer[0][col][k];
                }
            }
        }
    }
    jpeg_finish_decompress(&job->dinfo);
    if (job->eof_hit) {
        out->truncated = 1;
    }
    jpeg_destroy_decompress(&job->dinfo);
    fclose(file);
    free(job);
    return CSI_OK;
}
