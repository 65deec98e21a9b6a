/* Definitions shared by remap's kernels. The geometry arrives as build
 * options (-D): SKIN_N (receptors per side of an input plane), SKIN_CORE,
 * SKIN_PAD (the plane's margin), CHANNELS (input planes), PLANE
 * (SKIN_N^2), CORTEX_N, CF_R, CF_SIDE, CF_AREA (slots per channel), CF_LEN
 * (CHANNELS CF_AREA), CF_R2I, EXC_R, INH_R, EXC_PLASTIC, INH_PLASTIC (1:
 * the projection has per-unit weights of EXC_LEN, INH_LEN slots instead
 * of a shared kernel), STRUCTURAL (1: structural plasticity, synapse
 * liveness is state; 0 or absent: a slot is live iff it is in the field
 * and on the skin), HALF_WEIGHTS (1: afferent weights are stored as half
 * floats), TRANSPOSED and CHUNK_UNITS (the weights' layout, below),
 * SETTLE_TILE (units of a row one settling work-item sums; 1 or absent:
 * one unit per work-item, kernels/response.cl), FIELD_LANES (units whose
 * afferent fields one work-item walks side by side: 8, or 1 or absent:
 * one). Every
 * kernel mirrors a loop of the reference backend (src/ref/ref_backend.c)
 * operation for operation, so the two agree. */

/* No fused multiply-adds: the reference backend rounds each product. */
#pragma OPENCL FP_CONTRACT OFF

#ifndef STRUCTURAL
#define STRUCTURAL 0
#endif
#ifndef HALF_WEIGHTS
#define HALF_WEIGHTS 0
#endif
/* The skin: one plane without a margin. */
#ifndef CHANNELS
#define CHANNELS 1
#endif
#ifndef SKIN_PAD
#define SKIN_PAD 0
#endif
#ifndef SKIN_CORE
#define SKIN_CORE SKIN_N
#endif
#ifndef PLANE
#define PLANE (SKIN_N * SKIN_N)
#endif
#ifndef CF_AREA
#define CF_AREA CF_LEN
#endif
#ifndef EXC_PLASTIC
#define EXC_PLASTIC 0
#endif
#ifndef INH_PLASTIC
#define INH_PLASTIC 0
#endif
#ifndef SETTLE_TILE
#define SETTLE_TILE 1
#endif
#ifndef FIELD_LANES
#define FIELD_LANES 1
#endif

/* The afferent weights are held in one or more buffers (chunks) of whole
 * fields, so that a sheet larger than the device's largest allocation
 * runs: a kernel touching them is launched once per chunk, with a global
 * offset; unit u is unit u - unit_base of its chunk, which has room for
 * CHUNK_UNITS fields. The synapse states (and the float staging copies of
 * push and pull) are laid out field by field: unit u's field is at
 * (u - unit_base) CF_LEN. */
#define FIELD(buf, u, unit_base) ((buf) + (size_t)((u) - (unit_base)) * CF_LEN)

/* The weights' layout in a chunk (TRANSPOSED): field by field, as above
 * (a work-item walking its own field reads contiguous memory, which suits
 * CPUs), or transposed, slot k of every field of the chunk together,
 * CHUNK_UNITS apart (neighbouring work-items read neighbouring addresses,
 * which GPUs coalesce). FIELD_W gives unit u's field and W_AT slot k's
 * offset in it. */
#ifndef TRANSPOSED
#define TRANSPOSED 0
#endif
#if TRANSPOSED
#define FIELD_W(buf, u, unit_base) ((buf) + ((u) - (unit_base)))
#define W_AT(k) ((size_t)(k) * CHUNK_UNITS)
#else
#define FIELD_W(buf, u, unit_base) FIELD(buf, u, unit_base)
#define W_AT(k) (k)
#endif

/* Weight storage. Arithmetic is always in float; half storage rounds each
 * stored weight to the nearest half (vstore_half's default rounding),
 * which the reference backend mirrors with remap_half_round. */
#if HALF_WEIGHTS
typedef half weight_t;
#define LOAD_W(w, k) vload_half(W_AT(k), (w))
#define STORE_W(v, w, k) vstore_half((v), W_AT(k), (w))
#else
typedef float weight_t;
#define LOAD_W(w, k) ((w)[W_AT(k)])
#define STORE_W(v, w, k) ((w)[W_AT(k)] = (v))
#endif

/* Whether field slot k of a unit holds a live synapse; rc is the slot's
 * receptor (cf_receptor) or -1. Without structural plasticity a slot is
 * live iff it is in the field and on the skin, which saves reading the
 * synapse states. (A live synapse always has a receptor, so testing rc
 * first changes nothing.) */
#if STRUCTURAL
#define LIVE(k, rc) ((rc) >= 0 && syn[k] != 0)
#define LIVE_SLOT(k) (syn[k] != 0) /* for a slot field_row says exists */
#else
#define LIVE(k, rc) ((rc) >= 0)
#define LIVE_SLOT(k) 1
#endif

/* Counter-based random streams (enum remap_stream in model.h). */
#define STREAM_TOUCH 0u
#define STREAM_SPONTANEOUS 2u
#define STREAM_SPROUT 3u
#define REGION_COUNT 6
#define RECEPTORS (CHANNELS * PLANE)

/* e^x as the host's expf gives it. OpenCL's single-precision exp may be 3
 * ulp off, while C libraries' expf is correctly rounded in nearly all cases
 * (glibc: 0.502 ulp); the double-precision exp rounded once to float is
 * too, so the inputs of the two backends are almost always bit-identical
 * instead of often an ulp apart (differences that settling near the
 * threshold amplifies). One call per receptor and iteration: the cost is
 * negligible even where double precision is slow. */
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
inline float exp_as_host(float x)
{
    return (float)exp((double)x);
}
#else
inline float exp_as_host(float x)
{
    return exp(x);
}
#endif

/* Uniform float in [0, 1) from the top 24 bits (as unit_float in C). */
inline float unit_float(uint u)
{
    return (float)(u >> 8) * 5.9604644775390625e-8f;
}

/* Philox4x32-10 keyed by the seed (as philox() in model.c). */
inline philox4x32_ctr_t philox(uint seed_lo, uint seed_hi, uint c0, uint c1,
                               uint c2, uint c3)
{
    philox4x32_key_t key = {{seed_lo, seed_hi}};
    philox4x32_ctr_t ctr = {{c0, c1, c2, c3}};
    return philox4x32_R(philox4x32_rounds, ctr, key);
}

/* Receptor under unit u in every plane: the centre of its afferent
 * field (remap_unit_centre). */
inline void unit_centre(int u, int *cx, int *cy)
{
    *cx = SKIN_PAD + (2 * (u % CORTEX_N) + 1) * SKIN_CORE / (2 * CORTEX_N);
    *cy = SKIN_PAD + (2 * (u / CORTEX_N) + 1) * SKIN_CORE / (2 * CORTEX_N);
}

/* The circle's half-width on a row dy from its centre, where room =
 * CF_R2I - dy^2 >= 0: the largest h with h^2 <= room. */
inline int half_width(int room)
{
    int h = (int)sqrt((float)room);
    while (h * h > room)
        h--;
    while ((h + 1) * (h + 1) <= room)
        h++;
    return h;
}

/* Row dy of the field around (cx, cy) in channel 0, for the hot loops:
 * the synapses that exist in it (inside the circle and on the plane) are
 * the slots *k0 + dx, on receptors *r0 + dx, for dx in [*lo, *hi]; in
 * channel c they are CF_AREA c slots and PLANE c receptors further on.
 * False when the row has none. Walking channels, rows and then dx visits
 * slots in increasing k, so sums come out as from a loop over k with
 * cf_receptor. */
inline bool field_row(int cx, int cy, int dy, int *lo, int *hi, int *k0,
                      int *r0)
{
    int ry = cy + dy, room = CF_R2I - dy * dy;
    if (ry < 0 || ry >= SKIN_N || room < 0)
        return false;
    int h = half_width(room);
    *lo = max(-h, -cx);
    *hi = min(h, SKIN_N - 1 - cx);
    *k0 = (dy + CF_R) * CF_SIDE + CF_R;
    *r0 = ry * SKIN_N + cx;
    return *lo <= *hi;
}

/* Launches over the units of a weight chunk take FIELD_LANES units per
 * work-item (a CPU: 8, one per vector lane; a GPU: 1), launched with the
 * chunk's first unit as global offset: the first unit of this work-item's
 * group, and in *n how many the group has (fewer at the chunk's end). */
#if FIELD_LANES > 1
inline int unit_group(int unit_base, int *n)
{
    int u0 = unit_base + (int)(get_global_id(0) - unit_base) * FIELD_LANES;
    int end = min(unit_base + CHUNK_UNITS, CORTEX_N * CORTEX_N);
    *n = min(FIELD_LANES, end - u0);
    return u0;
}
#endif

/* Receptor of field slot k around (cx, cy), or -1 if no synapse is there
 * (remap_cf_slot_receptor): slot k is channel k / CF_AREA. */
inline int cf_receptor(int cx, int cy, int k)
{
#if CHANNELS > 1
    int a = k % CF_AREA, plane = k / CF_AREA * PLANE;
#else
    int a = k, plane = 0;
#endif
    int dx = a % CF_SIDE - CF_R, dy = a / CF_SIDE - CF_R;
    if (dx * dx + dy * dy > CF_R2I)
        return -1;
    int rx = cx + dx, ry = cy + dy;
    if (rx < 0 || ry < 0 || rx >= SKIN_N || ry >= SKIN_N)
        return -1;
    return plane + ry * SKIN_N + rx;
}
