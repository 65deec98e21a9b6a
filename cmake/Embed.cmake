# Build-time embedding of text files (kernels, scenarios) into C sources.

set(REMAP_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake)

# remap_embed(SYMBOL OUTPUT FILE...): writes OUTPUT defining
#   const struct remap_embedded SYMBOL[] = {{"name", "text"}, ..., {0, 0}};
# with each source line its own string literal, so line numbers in compiler
# messages still match the files.
function(remap_embed symbol output)
  set(inputs)
  foreach(f ${ARGN})
    if(IS_ABSOLUTE ${f})
      list(APPEND inputs ${f})
    else()
      list(APPEND inputs ${CMAKE_CURRENT_SOURCE_DIR}/${f})
    endif()
  endforeach()
  string(REPLACE ";" "|" joined "${inputs}")
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DSYMBOL=${symbol} -DOUTPUT=${output}
            "-DINPUTS=${joined}" -P ${REMAP_EMBED_SCRIPT}
    DEPENDS ${inputs} ${REMAP_EMBED_SCRIPT}
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()

# remap_philox_prelude(OUTPUT): Random123's Philox header, preprocessed as
# OpenCL C so the embedded kernels need no include path on the target.
function(remap_philox_prelude output)
  set(wrapper ${CMAKE_CURRENT_BINARY_DIR}/gen/philox_wrapper.h)
  file(WRITE ${wrapper} "#include <Random123/philox.h>\n")
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_C_COMPILER} -E -P -undef -D__OPENCL_VERSION__=120
            -D__OPENCL_C_VERSION__=120 -I${RANDOM123_INCLUDE_DIR}
            -x c ${wrapper} -o ${output}
    DEPENDS ${wrapper} ${RANDOM123_INCLUDE_DIR}/Random123/philox.h
    COMMENT "Preprocessing Random123 Philox for OpenCL C"
    VERBATIM)
endfunction()
