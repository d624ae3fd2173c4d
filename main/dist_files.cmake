# The files npm builds into dist/ that the firmware embeds, and what a build
# does while one is missing.
#
# Included by main/CMakeLists.txt: require_dist_files(file...) gives every
# missing file a rule that fails the *build* with the command to run, so the
# configuration (`idf.py set-target`, `menuconfig`) never needs dist/. It must
# be called in the directory of the component that embeds the files: ESP-IDF's
# target_add_binary_data makes the embedded file the MAIN_DEPENDENCY of a
# custom command there (tools/cmake/utilities.cmake, v5.5.5 lines 79-109),
# and CMake uses an OUTPUT rule for that file only from the same directory.
# tests/node/dist-rule.test.ts builds a project that does exactly this.
#
# Run as a script (`cmake -DFILE=... -DSHOWN=... -P dist_files.cmake`) it is
# that rule's command: fail while FILE is missing, pass once it exists, so
# the rule succeeds (and the build tool records it) after `npm run asbuild`.
if(CMAKE_SCRIPT_MODE_FILE)
    if(NOT EXISTS "${FILE}")
        message(FATAL_ERROR "${SHOWN} is missing: run `npm ci && npm run asbuild` in the project folder, then idf.py build again.")
    endif()
    return()
endif()

set(_dist_files_script "${CMAKE_CURRENT_LIST_FILE}")

function(require_dist_files project_dir)
    foreach(file IN LISTS ARGN)
        if(NOT EXISTS "${file}")
            file(RELATIVE_PATH shown "${project_dir}" "${file}")
            add_custom_command(OUTPUT "${file}"
                COMMAND ${CMAKE_COMMAND} -DFILE=${file} -DSHOWN=${shown} -P ${_dist_files_script}
                VERBATIM)
        endif()
    endforeach()
endfunction()
