# Writes OUT, a C file defining remap_revision as the `git describe` of the
# source tree SRC, at every build; the file changes (and is compiled again)
# only when the revision does, so a binary names the revision it was built
# from, not the one it was configured at.
execute_process(COMMAND git describe --always --dirty
  WORKING_DIRECTORY ${SRC}
  OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT revision)
  set(revision unknown)
endif()
set(text "/* Written at build time by cmake/Revision.cmake. */\n#include \"core/revision.h\"\n\nconst char remap_revision[] = \"${revision}\";\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
