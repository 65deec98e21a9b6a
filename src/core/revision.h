/* The build's source revision (`git describe --always --dirty`, or
 * "unknown" outside a git tree), recorded in checkpoints and benchmark
 * results; generated at build time by cmake/Revision.cmake. */
#ifndef REMAP_REVISION_H
#define REMAP_REVISION_H

extern const char remap_revision[];

#endif
