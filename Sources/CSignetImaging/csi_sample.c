/*
 * Deterministic sample pictures, one row at a time (so arbitrarily large images can be streamed).
 *
 * The scene: a sky gradient with a soft sun, a wavy horizon, textured ground (value-noise fBm),
 * a handful of seeded shapes (ellipses and rectangles with soft edges and shading) and mild
 * per-pixel grain. Only integer hashing and basic floating-point arithmetic are used (no libm),
 * so the output depends on nothing but the arguments.
 */
#include "csi_common.h"

#define CSI_SHAPES 7
#define CSI_OCTAVES 3

static uint64_t csi_mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double csi_unit(uint64_t bits) {
    return (double)(bits >> 11) * (1.0 / 9007199254740992.0);
}

static double csi_lattice(uint64_t seed, int64_t x, int64_t y) {
    return csi_unit(csi_mix64(seed ^ csi_mix64((uint64_t)x * 0x632BE59BD9B4E019ull + (uint64_t)y)));
}

static double csi_smooth(double t) {
    return t * t * (3.0 - 2.0 * t);
}

static double csi_clamp01(double v) {
    return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

typedef struct csi_shape {
    int ellipse;
    double cx, cy, rx, ry; /* pixels */
    double r, g, b;
} csi_shape;

typedef struct csi_scene {
    double horizon;                /* fraction of the height */
    double sun_x, sun_y, sun_r;    /* pixels */
    csi_shape shapes[CSI_SHAPES];
    uint64_t noise_seed;
    uint64_t grain_seed;
} csi_scene;

static void csi_make_scene(uint64_t seed, uint32_t width, uint32_t height, csi_scene *scene) {
    uint64_t state = csi_mix64(seed ^ 0x5167A7E5ull);
#define CSI_NEXT() (state = csi_mix64(state), csi_unit(state))
    double w = width, h = height;
    double s = w < h ? w : h;
    scene->horizon = 0.52 + 0.12 * CSI_NEXT();
    scene->sun_x = w * (0.15 + 0.7 * CSI_NEXT());
    scene->sun_y = h * scene->horizon * (0.25 + 0.4 * CSI_NEXT());
    scene->sun_r = s * (0.05 + 0.04 * CSI_NEXT());
    for (int i = 0; i < CSI_SHAPES; i++) {
        csi_shape *shape = &scene->shapes[i];
        shape->ellipse = CSI_NEXT() < 0.5;
        shape->cx = w * (0.05 + 0.9 * CSI_NEXT());
        double ground = scene->horizon + (1.0 - scene->horizon) * (0.1 + 0.8 * CSI_NEXT());
        shape->cy = h * ground;
        double size = s * (0.04 + 0.12 * CSI_NEXT()) * (0.5 + ground);
        shape->rx = size * (0.6 + 0.8 * CSI_NEXT());
        shape->ry = size * (0.4 + 0.6 * CSI_NEXT());
        shape->r = 40.0 + 200.0 * CSI_NEXT();
        shape->g = 30.0 + 170.0 * CSI_NEXT();
        shape->b = 20.0 + 160.0 * CSI_NEXT();
    }
    scene->noise_seed = csi_mix64(state ^ 1);
    scene->grain_seed = csi_mix64(state ^ 2);
#undef CSI_NEXT
}

/* One octave of 2D value noise evaluated along a row; lattice values are refreshed per cell. */
typedef struct csi_octave {
    double cell;      /* cell size in pixels */
    int64_t cy;       /* lattice row above the current image row */
    double fy;        /* smoothed vertical fraction */
    int64_t cx;       /* lattice column of the cached pair */
    double left, right;
    uint64_t seed;
} csi_octave;

static double csi_octave_value(csi_octave *o, double x) {
    double gx = x / o->cell;
    int64_t cx = (int64_t)gx;
    if (cx != o->cx) {
        o->cx = cx;
        double a0 = csi_lattice(o->seed, cx, o->cy), a1 = csi_lattice(o->seed, cx, o->cy + 1);
        double b0 = csi_lattice(o->seed, cx + 1, o->cy), b1 = csi_lattice(o->seed, cx + 1, o->cy + 1);
        o->left = a0 + (a1 - a0) * o->fy;
        o->right = b0 + (b1 - b0) * o->fy;
    }
    double t = csi_smooth(gx - (double)cx);
    return o->left + (o->right - o->left) * t;
}

static void csi_fill(uint32_t y, uint32_t width, uint32_t height, uint64_t seed, uint8_t *dst, int noisy) {
    if (dst == NULL || width == 0 || height == 0 || y >= height) {
        return;
    }
    csi_scene scene;
    csi_make_scene(seed, width, height, &scene);
    double w = width, h = height;
    double s = w < h ? w : h;
    double py = (double)y + 0.5;
    double v = py / h;

    csi_octave octaves[CSI_OCTAVES];
    static const double fractions[CSI_OCTAVES] = {1.0 / 3.0, 1.0 / 12.0, 1.0 / 48.0};
    for (int i = 0; i < CSI_OCTAVES; i++) {
        csi_octave *o = &octaves[i];
        o->cell = s * fractions[i];
        if (o->cell < 2.0) {
            o->cell = 2.0;
        }
        double gy = py / o->cell;
        o->cy = (int64_t)gy;
        o->fy = csi_smooth(gy - (double)o->cy);
        o->cx = -1;
        o->seed = csi_mix64(scene.noise_seed + (uint64_t)i);
    }
    /* 1D noise for the horizon line: one octave over the width. */
    csi_octave ridge = {.cell = w / 5.0 > 2.0 ? w / 5.0 : 2.0, .cy = 0, .fy = 0.0, .cx = -1,
                        .seed = csi_mix64(scene.noise_seed ^ 0xABCDull)};

    /* Shapes intersecting this row. */
    int active[CSI_SHAPES];
    int active_count = 0;
    for (int i = 0; i < CSI_SHAPES; i++) {
        const csi_shape *shape = &scene.shapes[i];
        if (py >= shape->cy - shape->ry - 1.0 && py <= shape->cy + shape->ry + 1.0) {
            active[active_count++] = i;
        }
    }

    uint64_t grain_row = csi_mix64(scene.grain_seed ^ ((uint64_t)y * 0x9E3779B97F4A7C15ull));
    for (uint32_t x = 0; x < width; x++) {
        double px = (double)x + 0.5;
        double r, g, b;
        double horizon = scene.horizon + 0.06 * (csi_octave_value(&ridge, px) - 0.5);
        double n = 0.5 * csi_octave_value(&octaves[0], px) + 0.3 * csi_octave_value(&octaves[1], px) +
                   0.2 * csi_octave_value(&octaves[2], px);
        if (v < horizon) {
            double t = v / horizon;
            r = 45.0 + 160.0 * t + 20.0 * (n - 0.5);
            g = 95.0 + 125.0 * t + 20.0 * (n - 0.5);
            b = 175.0 + 60.0 * t + 10.0 * (n - 0.5);
            double dx = px - scene.sun_x, dy = py - scene.sun_y;
            double d2 = (dx * dx + dy * dy) / (scene.sun_r * scene.sun_r);
            double glow = 1.0 / (1.0 + 0.15 * d2);
            r += (255.0 - r) * glow;
            g += (245.0 - g) * glow * 0.95;
            b += (200.0 - b) * glow * 0.8;
        } else {
            double t = (v - horizon) / (1.0 - horizon + 1e-9);
            double mix = csi_clamp01(1.6 * n - 0.3);
            r = (75.0 + 70.0 * mix) * (1.05 - 0.35 * t);
            g = (125.0 + 15.0 * mix) * (1.05 - 0.35 * t);
            b = (55.0 + 25.0 * mix) * (1.05 - 0.35 * t);
        }
        for (int k = 0; k < active_count; k++) {
            const csi_shape *shape = &scene.shapes[active[k]];
            double dx = (px - shape->cx) / shape->rx, dy = (py - shape->cy) / shape->ry;
            double alpha;
            if (shape->ellipse) {
                double d = dx * dx + dy * dy;
                if (d >= 1.3) {
                    continue;
                }
                /* roughly one pixel of anti-aliasing at the rim */
                alpha = csi_clamp01((1.0 - d) * 0.5 * (shape->rx < shape->ry ? shape->rx : shape->ry));
            } else {
                double ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
                if (ax >= 1.05 || ay >= 1.05) {
                    continue;
                }
                double ex = (1.0 - ax) * shape->rx, ey = (1.0 - ay) * shape->ry;
                alpha = csi_clamp01((ex < ey ? ex : ey) + 0.5);
            }
            double shade = 1.15 - 0.3 * (dy + 1.0) * 0.5 - 0.15 * dx + 0.2 * (n - 0.5);
            r += (shape->r * shade - r) * alpha;
            g += (shape->g * shade - g) * alpha;
            b += (shape->b * shade - b) * alpha;
        }
        uint64_t grain = csi_mix64(grain_row + x);
        if (noisy) {
            /* heavy, independent noise per channel: roughly uniform in [-84, 83] */
            r += (double)((int)(((grain & 0xFF) * 168) >> 8) - 84);
            g += (double)((int)((((grain >> 8) & 0xFF) * 168) >> 8) - 84);
            b += (double)((int)((((grain >> 16) & 0xFF) * 168) >> 8) - 84);
        } else {
            r += (double)((int)(grain & 7) - 4);
            g += (double)((int)((grain >> 8) & 7) - 4);
            b += (double)((int)((grain >> 16) & 7) - 4);
        }
        uint8_t *p = dst + (size_t)x * 3;
        p[0] = (uint8_t)(csi_clamp01(r / 255.0) * 255.0 + 0.5);
        p[1] = (uint8_t)(csi_clamp01(g / 255.0) * 255.0 + 0.5);
        p[2] = (uint8_t)(csi_clamp01(b / 255.0) * 255.0 + 0.5);
    }
}

void csi_sample_fill_row(uint32_t y, uint32_t width, uint32_t height, uint64_t seed, uint8_t *dst) {
    csi_fill(y, width, height, seed, dst, 0);
}

void csi_sample_fill_noisy_row(uint32_t y, uint32_t width, uint32_t height, uint64_t seed, uint8_t *dst) {
    csi_fill(y, width, height, seed, dst, 1);
}
