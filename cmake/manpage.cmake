# Writes the manual page gilsim(1) with help2man (the Debian package of that
# name) from the program's own --help, so the page cannot drift from it.
# The sections help2man cannot see (the sweep's options, the demonstrations)
# are filled in from `gilsim sweep --help` and `gilsim demo` in the same way.
# Variables: GILSIM (the built program), HELP2MAN, IN (man/gilsim.h2m.in),
# OUT (the page), DATADIR, DOCDIR (where the files it names are installed).
function(roff_verbatim text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${GILSIM} sweep --help OUTPUT_VARIABLE sweep RESULT_VARIABLE rc1)
execute_process(COMMAND ${GILSIM} demo OUTPUT_VARIABLE demos RESULT_VARIABLE rc2)
if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
  message(FATAL_ERROR "gilsim sweep --help or gilsim demo failed")
endif()
roff_verbatim("${sweep}" SWEEP_HELP)
roff_verbatim("${demos}" DEMO_LIST)
configure_file(${IN} ${OUT}.h2m @ONLY)
execute_process(COMMAND ${HELP2MAN} --no-info --section=1 --include=${OUT}.h2m --output=${OUT} ${GILSIM}
                RESULT_VARIABLE rc3)
if(NOT rc3 EQUAL 0)
  message(FATAL_ERROR "help2man failed writing ${OUT}")
endif()
