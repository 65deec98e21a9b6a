/* Device copy bandwidth for the benchmark: a plain copy of float4 vectors,
 * one work-item per vector, built as a program of its own (not the
 * model's) by src/cl/bandwidth.c. */

__kernel void copy_float4(__global const float4 *restrict src,
                          __global float4 *restrict dst)
{
    size_t i = get_global_id(0);
    dst[i] = src[i];
}
