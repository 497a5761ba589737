# One version: project(aiguillage VERSION ...) is the only source; the CLI, the C header, the
# Python package and the packaging files must all say VERSION.
#   cmake -DVERSION=... -DCLI=... -DHEADER=... [-DPYTHON=... -DPYTHONPATH=...] [-DPC=...] -P version.cmake
function(expect what text)
  if(NOT text MATCHES "(^|[^0-9.])${VERSION}([^0-9.]|$)")
    message(FATAL_ERROR "${what} says \"${text}\", the project version is ${VERSION}")
  endif()
  message(STATUS "${what}: ${VERSION}")
endfunction()

execute_process(COMMAND ${CLI} version OUTPUT_VARIABLE out COMMAND_ERROR_IS_FATAL ANY)
expect("aiguillage version" "${out}")
execute_process(COMMAND ${CLI} --version OUTPUT_VARIABLE out COMMAND_ERROR_IS_FATAL ANY)
expect("aiguillage --version" "${out}")
file(STRINGS ${HEADER} line REGEX "#define AIG_VERSION_STRING")
expect("aiguillage/version.h" "${line}")
if(PYTHON)
  set(ENV{PYTHONPATH} ${PYTHONPATH})
  execute_process(COMMAND ${PYTHON} -c "import aiguillage; print(aiguillage.__version__)"
    OUTPUT_VARIABLE out COMMAND_ERROR_IS_FATAL ANY)
  expect("aiguillage.__version__" "${out}")
endif()
if(PC)
  file(STRINGS ${PC} line REGEX "^Version:")
  expect("aiguillage.pc" "${line}")
endif()
