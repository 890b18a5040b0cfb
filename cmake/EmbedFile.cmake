# Compiles a data file into the binary as a std::string_view, so the knowledge the classifier uses
# stays in one editable data file and is still available without any file next to the binary.
function(mta_embed_file target input symbol)
  set(output "${CMAKE_CURRENT_BINARY_DIR}/embedded/${symbol}.cpp")
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFileScript.cmake"
    DEPENDS "${input}" "${PROJECT_SOURCE_DIR}/cmake/EmbedFileScript.cmake"
    VERBATIM)
  target_sources(${target} PRIVATE "${output}")
endfunction()
