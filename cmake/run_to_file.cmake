# SPDX-License-Identifier: MIT
# run_to_file.cmake - run BIN with ARGS (a ;-list) and write its stdout to OUT; a
# failure (a non-zero status) fails the build and leaves no OUT behind.
# cmake -DBIN=thrdemo -DARGS=--man -DOUT=thrdemo.1 -P run_to_file.cmake
execute_process(COMMAND ${BIN} ${ARGS} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${BIN} ${ARGS} failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
