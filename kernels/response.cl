/* Cortical response: the afferent drive (fixed for an iteration, times the
 * unit's synaptic scaling factor) and the settling steps of lateral
 * excitation and inhibition (a shared isotropic kernel, or each unit's
 * own weights when the projection is plastic), each response times the
 * unit's gain (0 dead, below 1 penumbra).
 * The afferent kernel takes one work-item per FIELD_LANES cortical units
 * (a build option: 8 on a CPU, walking their fields side by side; 1 on a
 * GPU, walking its own contiguous field); settling takes one per tile of
 * SETTLE_TILE units of a row (1 on a GPU). */

#define SETTLE_TILES ((CORTEX_N + SETTLE_TILE - 1) / SETTLE_TILE)

/* The response of a field to input x (the weighted sum), and the sum of x
 * over the field's live synapses, which learning's normalisation needs. */
inline float2 field_response(__global const weight_t *w,
                             __global const uchar *syn,
                             __global const float *x, int cx, int cy)
{
#if !STRUCTURAL
    (void)syn;
#endif
    float c = 0.0f, xs = 0.0f;
    for (int ch = 0; ch < CHANNELS; ch++) {
        for (int dy = -CF_R; dy <= CF_R; dy++) {
            int lo, hi, k0, r0;
            if (!field_row(cx, cy, dy, &lo, &hi, &k0, &r0))
                continue;
            k0 += ch * CF_AREA;
            r0 += ch * PLANE;
            for (int dx = lo; dx <= hi; dx++) {
                float xi = x[r0 + dx];
                c += LOAD_W(w, k0 + dx) * xi;
                if (LIVE_SLOT(k0 + dx))
                    xs += xi;
            }
        }
    }
    return (float2)(c, xs);
}

/* Unit u's afferent drive and first activity from its field's response. */
inline void respond(int u, float2 r, float strength,
                    __global const float *threshold,
                    __global const float *drive_scale,
                    __global const float *unit_gain, __global float *drive,
                    __global float *input_sum, __global float *activity)
{
    float d = strength * drive_scale[u] * r.x;
    drive[u] = d;
    input_sum[u] = r.y;
    float a = d - threshold[u];
    activity[u] = unit_gain[u] * (a > 0.0f ? a : 0.0f);
}

#if FIELD_LANES > 1
/* An expression of lane j, for the eight lanes of a vector. */
#define EIGHT(E) (E(0), E(1), E(2), E(3), E(4), E(5), E(6), E(7))

/* Adds slot k of eight fields w (synapse states syn), with inputs xi,
 * to their responses c and live inputs' sums xs. */
inline void add_slot(float8 *c, float8 *xs, __global const weight_t *w[8],
                     __global const uchar *syn[8], int k, float8 xi)
{
#if !STRUCTURAL
    (void)syn;
#endif
#define WEIGHT(j) LOAD_W(w[j], k)
    *c += (float8) EIGHT(WEIGHT) * xi;
#undef WEIGHT
#if STRUCTURAL
#define LIVE_LANE(j) (syn[j][k] != 0 ? -1 : 0)
    *xs += select((float8)(0.0f), xi, (int8) EIGHT(LIVE_LANE));
#undef LIVE_LANE
#else
    *xs += xi;
#endif
}

/* field_response of units u0 .. u0 + n - 1 of a chunk (n <= 8), one unit
 * per vector lane (a lane past n repeats the last unit; its sums are not
 * used): for each row and each slot of the circle, left to right, the
 * eight fields' weights and inputs are gathered and added to the eight
 * sums at once. A unit's field walk is one chain of additions, each
 * waiting for the one before; eight chains side by side keep the CPU
 * busy. Each lane adds its unit's terms in field_response's order; a
 * slot a lane's field does not have (its row or column off the plane)
 * reads input 0, and w * 0 = +-0 (weights are finite) changes no sum (see
 * lateral_sums below). */
inline void field_responses(__global const weight_t *weights,
                            __global const uchar *synapse, int unit_base,
                            __global const float *x, int u0, int n,
                            float8 *response, float8 *live_input)
{
#if !STRUCTURAL
    (void)synapse;
#endif
    __global const weight_t *w[8];
    __global const uchar *syn[8];
    int cxs[8], cys[8];
    for (int j = 0; j < 8; j++) {
        int u = u0 + min(j, n - 1);
        unit_centre(u, &cxs[j], &cys[j]);
        w[j] = FIELD_W(weights, u, unit_base);
        syn[j] = FIELD(synapse, u, unit_base);
    }
    int8 cx = vload8(0, cxs), cy = vload8(0, cys);
    float8 c = (float8)(0.0f), xs = (float8)(0.0f);
    for (int ch = 0; ch < CHANNELS; ch++) {
        for (int dy = -CF_R; dy <= CF_R; dy++) {
            int room = CF_R2I - dy * dy;
            if (room < 0)
                continue;
            int h = half_width(room);
            int8 ry = cy + dy;
            int8 row_on = (ry >= 0) & (ry < SKIN_N);
            if (!any(row_on))
                continue;
            int8 lo = max((int8)(-h), -cx);
            int8 hi = min((int8)(h), SKIN_N - 1 - cx);
            int8 base = clamp(ry, 0, SKIN_N - 1) * SKIN_N + ch * PLANE;
            int k0 = (dy + CF_R) * CF_SIDE + CF_R + ch * CF_AREA;
#define INPUT(j) x[at.s##j]
            if (all(row_on) && all(lo == -h) && all(hi == h)) {
                /* Every lane's field has the whole row (the common case,
                 * away from the plane's edges): no masks. */
                for (int dx = -h; dx <= h; dx++) {
                    int8 at = base + cx + dx;
                    add_slot(&c, &xs, w, syn, k0 + dx, (float8) EIGHT(INPUT));
                }
                continue;
            }
            for (int dx = -h; dx <= h; dx++) {
                int8 on = row_on & ((int8)(dx) >= lo) & ((int8)(dx) <= hi);
                int8 at = base + clamp(cx + dx, 0, SKIN_N - 1);
                add_slot(&c, &xs, w, syn, k0 + dx,
                         select((float8)(0.0f), (float8) EIGHT(INPUT), on));
            }
#undef INPUT
        }
    }
    *response = c;
    *live_input = xs;
}

/* respond for the n units of a group from field_responses' sums. */
inline void respond_group(int u0, int n, float8 c, float8 xs, float strength,
                          __global const float *threshold,
                          __global const float *drive_scale,
                          __global const float *unit_gain,
                          __global float *drive, __global float *input_sum,
                          __global float *activity)
{
    float cs[8], ss[8];
    vstore8(c, 0, cs);
    vstore8(xs, 0, ss);
    for (int j = 0; j < n; j++)
        respond(u0 + j, (float2)(cs[j], ss[j]), strength, threshold,
                drive_scale, unit_gain, drive, input_sum, activity);
}
#endif

/* Launched per weight chunk (see FIELD and unit_group). */
__kernel void afferent(__global const weight_t *weights,
                       __global const uchar *synapse, int unit_base,
                       __global const float *input,
                       __global const float *threshold, float strength,
                       __global const float *drive_scale,
                       __global const float *unit_gain,
                       __global float *drive, __global float *input_sum,
                       __global float *activity)
{
#if FIELD_LANES > 1
    int n, u0 = unit_group(unit_base, &n);
    float8 c, xs;
    field_responses(weights, synapse, unit_base, input, u0, n, &c, &xs);
    respond_group(u0, n, c, xs, strength, threshold, drive_scale, unit_gain,
                  drive, input_sum, activity);
#else
    int u = get_global_id(0);
    int cx, cy;
    unit_centre(u, &cx, &cy);
    float2 r = field_response(FIELD_W(weights, u, unit_base),
                              FIELD(synapse, u, unit_base), input, cx, cy);
    respond(u, r, strength, threshold, drive_scale, unit_gain, drive,
            input_sum, activity);
#endif
}

#if SETTLE_TILE > 1
/* On a CPU, settling reads the activity from a copy with zero margins:
 * LAT_R columns left of each row, LAT_R and the tile rounded up to whole
 * LANES right of it, so that a tile's lanes read every tap without
 * bounds. */
#define LANES 8
#define LAT_R (EXC_R > INH_R ? EXC_R : INH_R)
#define PAD_W                                                                  \
    (CORTEX_N + 2 * LAT_R + (SETTLE_TILE + LANES - 1) / LANES * LANES)
/* Column x0 of row `row` of the padded activity. */
#define PAD_AT(pad, row, x0) ((pad) + (row) * PAD_W + LAT_R + (x0))
#else
/* A GPU's settling reads the activity itself; pad is a placeholder. */
#define PAD_AT(pad, row, x0) (pad)
#endif

/* The first and last non-zero of columns x0 .. x0 + n - 1 of a row,
 * whose values a holds, or (CORTEX_N, -1) when all are zero (a NaN
 * counts as non-zero); on a CPU it also copies them into the padded
 * activity at p (its margins stay zero). Minimum and maximum of
 * selections rather than a running update, so that the loop runs in
 * vector lanes. */
inline int2 copy_span(__global const float *a, __global float *p, int n,
                      int x0)
{
#if SETTLE_TILE == 1
    (void)p;
#endif
    int first = CORTEX_N, last = -1;
    for (int j = 0; j < n; j++) {
        float v = a[j];
#if SETTLE_TILE > 1
        p[j] = v;
#endif
        bool on = v != 0.0f;
        first = min(first, on ? x0 + j : CORTEX_N);
        last = max(last, on ? x0 + j : -1);
    }
    return (int2)(first, last);
}

/* First and last non-zero column of row `row` of y (copy_span). */
inline int2 row_span(__global const float *y, __global float *pad, int row)
{
    return copy_span(y + row * CORTEX_N, PAD_AT(pad, row, 0), CORTEX_N, 0);
}

/* Where activity y is non-zero, for settle: span[row] holds the row's
 * first and last non-zero columns, or (CORTEX_N, -1), a range with
 * nothing in it, for a row that is all zero; rows gathers the first and
 * last non-empty rows, starting from (CORTEX_N, -1). One work-item per
 * cortical row. This launch's rows was reset by the launch before, and
 * this one resets the spans and rows that the next launch gathers into
 * (reset_span, reset_rows: read by no kernel between the two). A NaN
 * counts as non-zero, so it still spreads. */
__kernel void active_span(__global const float *y, __global float *pad,
                          __global int2 *span, volatile __global int *rows,
                          __global int2 *reset_span, __global int *reset_rows)
{
    int row = get_global_id(0);
    int2 s = row_span(y, pad, row);
    span[row] = s;
    if (s.y >= 0) {
        atomic_min(&rows[0], row);
        atomic_max(&rows[1], row);
    }
    reset_span[row] = (int2)(CORTEX_N, -1);
    if (row == 0) {
        reset_rows[0] = CORTEX_N;
        reset_rows[1] = -1;
    }
}

/* The lateral sums of a settling step, for a tile of SETTLE_TILE
 * neighbouring units of one row (n of them, fewer at the row's end):
 * kernel k of half-width r applied to the activity around each unit of
 * the tile, into acc. A kernel tap (dx, dy) lies at (dy + r) (2r + 1) +
 * dx + r of the shared kernel (kstride 0), or of the unit's own weights
 * (kstride floats apart) for a plastic projection.
 *
 * Each unit's terms are added in the reference backend's order (rows top
 * to bottom, columns left to right), but only over the non-empty rows and
 * near each row's non-zero span. Activity is never negative and weights
 * are finite, so a term left out, or added from a zero of the activity,
 * is k * 0 = +-0, which leaves any sum that is not -0 unchanged (a sum
 * starts at +0 and can only become -0 by adding -0 to -0): every sum has
 * the reference's bits. Since activity is sparse, most rows are empty and
 * most spans short, which makes settling cheap. */
#if SETTLE_TILE == 1
/* One unit per work-item (a GPU: neighbours read neighbouring
 * addresses): the plain sum over each row's span, which rows and spans
 * clip to the sheet. */
inline void lateral_sums(__global const float *y, __global const float *pad,
                         __global const int2 *span, int2 rows,
                         __global const float *k, int kstride, int r, int x0,
                         int n, int yy, float acc[SETTLE_TILE])
{
    (void)pad;
    (void)kstride;
    (void)n;
    int side = 2 * r + 1;
    int top = max(yy - r, rows.x), bottom = min(yy + r, rows.y);
    for (int row = top; row <= bottom; row++) {
        int2 s = span[row];
        int lo = max(x0 - r, s.x), hi = min(x0 + r, s.y);
        __global const float *yr = y + row * CORTEX_N;
        int kbase = (row - yy + r) * side + r - x0;
        for (int col = lo; col <= hi; col++)
            acc[0] += k[kbase + col] * yr[col];
    }
}
#else
/* A tile of units per work-item (a CPU), LANES at a time: for each row
 * within reach and each tap of the kernel's row (columns left to right),
 * the tap is added to the LANES sums at once, each lane reading its own
 * column of the padded activity, over the taps that reach the row's span
 * from some lane. The sums stay in a vector register and the activity's
 * loads are contiguous. The taps are one value for a shared kernel and,
 * for a plastic projection, each unit's own (a lane past the row's end
 * reads the last unit's, as it must read some; its sum is not kept).
 * Inlined always, so that each call's kstride is a constant and the
 * compiler specialises the loop for it. */
__attribute__((always_inline)) inline void
lateral_sums(__global const float *y, __global const float *pad,
             __global const int2 *span, int2 rows, __global const float *k,
             int kstride, int r, int x0, int n, int yy,
             float acc[SETTLE_TILE])
{
    (void)y;
    int side = 2 * r + 1;
    int top = max(yy - r, rows.x), bottom = min(yy + r, rows.y);
    for (int c = 0; c * LANES < n; c++) {
        int xc = x0 + c * LANES;
        int8 unit = min((int8)(c * LANES) + (int8)(0, 1, 2, 3, 4, 5, 6, 7),
                        (int8)(n - 1));
        int8 at = unit * kstride;
        float8 sum = (float8)(0.0f);
        for (int row = top; row <= bottom; row++) {
            int2 s = span[row];
            if (s.y < 0)
                continue;
            int dlo = max(-r, s.x - (xc + LANES - 1)), dhi = min(r, s.y - xc);
            __global const float *p = PAD_AT(pad, row, xc);
            __global const float *kr = k + (row - yy + r) * side + r;
            for (int dx = dlo; dx <= dhi; dx++) {
                float8 w = kstride == 0
                               ? (float8)(kr[dx])
                               : (float8)(kr[dx + at.s0], kr[dx + at.s1],
                                          kr[dx + at.s2], kr[dx + at.s3],
                                          kr[dx + at.s4], kr[dx + at.s5],
                                          kr[dx + at.s6], kr[dx + at.s7]);
                sum += w * vload8(0, p + dx);
            }
        }
        float lane[LANES];
        vstore8(sum, 0, lane);
        for (int j = 0; j < LANES && c * LANES + j < SETTLE_TILE; j++)
            acc[c * LANES + j] = lane[j];
    }
}
#endif

inline void settle_tile(int t, __global const float *previous,
                        __global const float *pad,
                        __global const int2 *span, int2 rows,
                        __global const float *drive,
                        __global const float *threshold,
                        __global const float *exc_kernel,
                        __global const float *inh_kernel,
                        float exc_strength, float inh_strength,
                        __global const float *unit_gain,
                        __global float *next)
{
    int yy = t / SETTLE_TILES, x0 = t % SETTLE_TILES * SETTLE_TILE;
    int n = min(SETTLE_TILE, CORTEX_N - x0), u0 = yy * CORTEX_N + x0;
    /* A plastic projection's weights lie like the kernel, unit by unit. */
#if EXC_PLASTIC
    const int exc_stride = EXC_LEN;
    exc_kernel += (size_t)u0 * EXC_LEN;
#else
    const int exc_stride = 0;
#endif
#if INH_PLASTIC
    const int inh_stride = INH_LEN;
    inh_kernel += (size_t)u0 * INH_LEN;
#else
    const int inh_stride = 0;
#endif
    float e[SETTLE_TILE], i[SETTLE_TILE];
    for (int j = 0; j < SETTLE_TILE; j++)
        e[j] = i[j] = 0.0f;
    lateral_sums(previous, pad, span, rows, exc_kernel, exc_stride, EXC_R,
                 x0, n, yy, e);
    lateral_sums(previous, pad, span, rows, inh_kernel, inh_stride, INH_R,
                 x0, n, yy, i);
    for (int j = 0; j < n; j++) {
        int u = u0 + j;
        float a = drive[u] + exc_strength * e[j] + inh_strength * i[j] -
                  threshold[u];
        next[u] = unit_gain[u] * (a > 0.0f ? a : 0.0f);
    }
}

/* One settling step: one work-item per tile (SETTLE_TILES per row);
 * span, rows (and on a CPU pad): where previous is non-zero, from the
 * launch before (active_span, or the settling step before). Each tile
 * then records where its part of next is non-zero, for the next step:
 * it merges its first and last non-zero columns into next_span's row and
 * its row into next_rows (both reset by the launch before), copies its
 * units into next_pad on a CPU, and resets the spans and rows that the
 * launch after gathers into. So a step is one launch, not two. */
__kernel void settle(__global const float *previous,
                     __global const float *pad,
                     __global const int2 *span, __global const int *rows,
                     __global const float *drive,
                     __global const float *threshold,
                     __global const float *exc_kernel,
                     __global const float *inh_kernel, float exc_strength,
                     float inh_strength, __global const float *unit_gain,
                     __global float *next, __global float *next_pad,
                     volatile __global int *next_span,
                     volatile __global int *next_rows,
                     __global int2 *reset_span, __global int *reset_rows)
{
    int t = get_global_id(0);
    settle_tile(t, previous, pad, span, (int2)(rows[0], rows[1]), drive,
                threshold, exc_kernel, inh_kernel, exc_strength,
                inh_strength, unit_gain, next);
    int yy = t / SETTLE_TILES, x0 = t % SETTLE_TILES * SETTLE_TILE;
    int2 s = copy_span(next + yy * CORTEX_N + x0, PAD_AT(next_pad, yy, x0),
                       min(SETTLE_TILE, CORTEX_N - x0), x0);
    if (s.y >= 0) {
        atomic_min(&next_span[2 * yy], s.x);
        atomic_max(&next_span[2 * yy + 1], s.y);
        atomic_min(&next_rows[0], yy);
        atomic_max(&next_rows[1], yy);
    }
    if (t < CORTEX_N)
        reset_span[t] = (int2)(CORTEX_N, -1);
    if (t == 0) {
        reset_rows[0] = CORTEX_N;
        reset_rows[1] = -1;
    }
}

/* Every settling step in one launch of a single work-group, whose
 * work-items share the rows and units out among them: the spans, bounds
 * and sums of active_span and settle, with barriers between the steps
 * instead of launches, for sheets on which launching costs more than the
 * steps themselves. Starts from act0 and ping-pongs with act1 as the
 * launches do. */
__kernel void settle_all(__global float *act0, __global float *act1,
                         __global float *pad, __global int2 *span, int steps,
                         __global const float *drive,
                         __global const float *threshold,
                         __global const float *exc_kernel,
                         __global const float *inh_kernel, float exc_strength,
                         float inh_strength, __global const float *unit_gain)
{
    __local int rows[2];
    int lid = get_local_id(0), n = get_local_size(0);
    for (int step = 0; step < steps; step++) {
        __global float *previous = step % 2 ? act1 : act0;
        __global float *next = step % 2 ? act0 : act1;
        if (lid == 0) {
            rows[0] = CORTEX_N;
            rows[1] = -1;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int row = lid; row < CORTEX_N; row += n) {
            int2 s = row_span(previous, pad, row);
            span[row] = s;
            if (s.y >= 0) {
                atomic_min(&rows[0], row);
                atomic_max(&rows[1], row);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
        int2 live = (int2)(rows[0], rows[1]);
        for (int t = lid; t < CORTEX_N * SETTLE_TILES; t += n)
            settle_tile(t, previous, pad, span, live, drive, threshold,
                        exc_kernel, inh_kernel, exc_strength, inh_strength,
                        unit_gain, next);
        /* Everyone has read rows and previous before they change. */
        barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    }
}
