/* Definitions shared by remap's kernels. The geometry arrives as build
 * options (-D): SKIN_N, CORTEX_N, CF_R, CF_SIDE, CF_LEN, CF_R2I, EXC_R,
 * INH_R. Every kernel mirrors a loop of the reference backend
 * (src/ref/ref_backend.c) operation for operation, so the two agree. */

/* No fused multiply-adds: the reference backend rounds each product. */
#pragma OPENCL FP_CONTRACT OFF

#define STREAM_TOUCH 0u
#define REGION_COUNT 6

/* Uniform float in [0, 1) from the top 24 bits (as unit_float in C). */
inline float unit_float(uint u)
{
    return (float)(u >> 8) * 5.9604644775390625e-8f;
}

/* Receptor under unit u: the centre of its afferent field. */
inline void unit_centre(int u, int *cx, int *cy)
{
    *cx = (2 * (u % CORTEX_N) + 1) * SKIN_N / (2 * CORTEX_N);
    *cy = (2 * (u / CORTEX_N) + 1) * SKIN_N / (2 * CORTEX_N);
}

/* Receptor of field slot k around (cx, cy), or -1 if no synapse is there. */
inline int cf_receptor(int cx, int cy, int k)
{
    int dx = k % CF_SIDE - CF_R, dy = k / CF_SIDE - CF_R;
    if (dx * dx + dy * dy > CF_R2I)
        return -1;
    int rx = cx + dx, ry = cy + dy;
    if (rx < 0 || ry < 0 || rx >= SKIN_N || ry >= SKIN_N)
        return -1;
    return ry * SKIN_N + rx;
}
