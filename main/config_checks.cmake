# Project settings Kconfig cannot fully check, rejected (or warned about)
# before anything is built. Included by main/CMakeLists.txt with the build's
# CONFIG_* variables; tests/node/config-checks.test.ts runs it with
# `cmake -D... -P main/config_checks.cmake` for every supported target.
#
# Facts relied on (ESP-IDF v5.5.5 unless noted):
# - pins: host/portable/board_pins.def, the table the firmware checks at run time;
# - WiFi channel: the default country "01" allows channels 1..11
#   (docs/en/api-guides/wifi.rst, "Wi-Fi Country Code"); another channel makes
#   esp_wifi_set_config fail with ESP_ERR_INVALID_ARG (same page, AP config
#   "channel"; v5.1.7: the driver silently uses channel 1);
# - stations: the DHCP server leases to LWIP_DHCPS_MAX_STATION_NUM stations
#   (components/lwip/Kconfig) and soft-AP stations share 17 hardware key
#   slots with ESP-NOW (components/esp_wifi/Kconfig ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM;
#   wifi.rst, AP config "max_connection");
# - sockets: esp_http_server keeps 3 for itself (host/portable/http_contract.h).
include("${CMAKE_CURRENT_LIST_DIR}/../host/portable/board_pins.cmake")

set(where "(idf.py menuconfig -> ESP32 Wasm LED)")

# Target: the pin table, the Kconfig pin defaults and WAMR's component cover these.
board_pins_targets(supported_targets)
list(FIND supported_targets "${CONFIG_IDF_TARGET}" target_index)
if(target_index LESS 0)
    string(REPLACE ";" ", " supported_text "${supported_targets}")
    message(FATAL_ERROR
        "Target ${CONFIG_IDF_TARGET} is not supported: run `idf.py set-target T` with T one of "
        "${supported_text}. A new target needs its pins in host/portable/board_pins.def and "
        "pin defaults in main/Kconfig.projbuild.")
endif()

# WiFi access point
string(LENGTH "${CONFIG_WASM_LED_WIFI_SSID}" ssid_len)
if(ssid_len LESS 1 OR ssid_len GREATER 32)
    message(FATAL_ERROR "CONFIG_WASM_LED_WIFI_SSID has ${ssid_len} characters: an SSID has 1..32 ${where}.")
endif()

string(LENGTH "${CONFIG_WASM_LED_WIFI_PASSWORD}" pass_len)
if(pass_len GREATER 0 AND pass_len LESS 8)
    message(FATAL_ERROR
        "CONFIG_WASM_LED_WIFI_PASSWORD has ${pass_len} characters: WPA2 needs 8..63, "
        "or leave it empty for an open access point ${where}.")
endif()
if(pass_len GREATER 63)
    message(FATAL_ERROR "CONFIG_WASM_LED_WIFI_PASSWORD has ${pass_len} characters: WPA2 allows at most 63 ${where}.")
endif()

if(NOT CONFIG_WASM_LED_WIFI_COUNTRY MATCHES "^(01|[A-Z][A-Z])$")
    message(FATAL_ERROR
        "CONFIG_WASM_LED_WIFI_COUNTRY=\"${CONFIG_WASM_LED_WIFI_COUNTRY}\": enter 01 (ESP-IDF's default, "
        "channels 1..11) or the two upper-case letters of a country code such as DE or JP "
        "(WiFi country code ${where}).")
endif()

if(CONFIG_WASM_LED_WIFI_CHANNEL LESS 1 OR CONFIG_WASM_LED_WIFI_CHANNEL GREATER 13)
    message(FATAL_ERROR "CONFIG_WASM_LED_WIFI_CHANNEL=${CONFIG_WASM_LED_WIFI_CHANNEL}: use 1..13 ${where}.")
endif()
if(CONFIG_WASM_LED_WIFI_CHANNEL GREATER 11 AND CONFIG_WASM_LED_WIFI_COUNTRY STREQUAL "01")
    message(FATAL_ERROR
        "CONFIG_WASM_LED_WIFI_CHANNEL=${CONFIG_WASM_LED_WIFI_CHANNEL} is not allowed in ESP-IDF's default "
        "WiFi country 01 (channels 1..11): choose channel 1..11, or first set \"WiFi country code\" to the "
        "country the board runs in if it allows channels 12 and 13 (e.g. DE, JP) ${where}.")
endif()

set(max_stations 8)
if(CONFIG_WASM_LED_WIFI_MAX_STA LESS 1 OR CONFIG_WASM_LED_WIFI_MAX_STA GREATER max_stations)
    message(FATAL_ERROR
        "CONFIG_WASM_LED_WIFI_MAX_STA=${CONFIG_WASM_LED_WIFI_MAX_STA}: use 1..${max_stations} ${where}. "
        "The DHCP server leases 8 addresses by default and ESP-NOW keeps 7 of the 17 WiFi key slots.")
endif()
if(DEFINED CONFIG_LWIP_DHCPS_MAX_STATION_NUM AND
   CONFIG_WASM_LED_WIFI_MAX_STA GREATER CONFIG_LWIP_DHCPS_MAX_STATION_NUM)
    message(FATAL_ERROR
        "CONFIG_WASM_LED_WIFI_MAX_STA=${CONFIG_WASM_LED_WIFI_MAX_STA} but the DHCP server leases only "
        "${CONFIG_LWIP_DHCPS_MAX_STATION_NUM} addresses (it drops the oldest lease without notice): lower "
        "Maximum stations ${where} or raise Component config -> LWIP -> DHCP server -> Maximum number of "
        "stations (CONFIG_LWIP_DHCPS_MAX_STATION_NUM).")
endif()
if(DEFINED CONFIG_ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM AND CONFIG_ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM GREATER 2)
    math(EXPR key_slots_left "17 - ${CONFIG_ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM}")
    if(CONFIG_WASM_LED_WIFI_MAX_STA GREATER key_slots_left)
        message(FATAL_ERROR
            "CONFIG_WASM_LED_WIFI_MAX_STA=${CONFIG_WASM_LED_WIFI_MAX_STA} but ESP-NOW keeps "
            "${CONFIG_ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM} of the 17 WiFi key slots, leaving ${key_slots_left} "
            "for stations: lower Maximum stations ${where} or Component config -> Wi-Fi -> Maximum espnow "
            "encrypt peers number (CONFIG_ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM).")
    endif()
endif()

# Pins: the rules the firmware applies at start-up (board_pins.c), from the same table.
foreach(pin IN ITEMS SWITCH LED)
    if(pin STREQUAL "SWITCH")
        set(role INPUT)
        set(label "Push switch GPIO")
    else()
        set(role OUTPUT)
        set(label "LED GPIO")
    endif()
    set(gpio "${CONFIG_WASM_LED_${pin}_GPIO}")
    board_pins_check("${CONFIG_IDF_TARGET}" "${gpio}" ${role} verdict notes)
    if(NOT verdict STREQUAL "OK")
        board_pins_verdict_text(${verdict} why)
        message(FATAL_ERROR
            "CONFIG_WASM_LED_${pin}_GPIO=${gpio}: GPIO ${gpio} ${why} on ${CONFIG_IDF_TARGET}. Choose another "
            "pin in idf.py menuconfig -> ESP32 Wasm LED -> ${label}; README.md, \"Targets and pins\", "
            "lists the defaults and the pins to avoid.")
    endif()
    # list(FIND), not IN_LIST: this file also runs in `cmake -P`, without policy CMP0057.
    list(FIND notes STRAPPING strapping)
    list(FIND notes NO_PULLUP no_pullup)
    if(role STREQUAL "OUTPUT" AND strapping GREATER -1)
        message(WARNING
            "CONFIG_WASM_LED_LED_GPIO=${gpio} is a strapping pin of ${CONFIG_IDF_TARGET}: an LED to GND can hold "
            "it low while the chip resets and change how it boots. Prefer another pin ${where}.")
    endif()
    if(role STREQUAL "INPUT" AND no_pullup GREATER -1)
        message(WARNING
            "CONFIG_WASM_LED_SWITCH_GPIO=${gpio} has no internal pull-up on ${CONFIG_IDF_TARGET}: wire a "
            "10 kOhm resistor from it to 3.3 V, or the switch input floats.")
    endif()
endforeach()
if(CONFIG_WASM_LED_SWITCH_GPIO EQUAL CONFIG_WASM_LED_LED_GPIO)
    message(FATAL_ERROR
        "The switch and the LED are both on GPIO ${CONFIG_WASM_LED_LED_GPIO}: give them different pins ${where}.")
endif()

# Core settings
if(CONFIG_WASM_LED_SSE_KEEPALIVE_MS GREATER 0 AND CONFIG_WASM_LED_SSE_KEEPALIVE_MS LESS 1000)
    message(FATAL_ERROR "CONFIG_WASM_LED_SSE_KEEPALIVE_MS must be 0 (off) or 1000..600000 ${where}.")
endif()

# esp_http_server keeps 3 sockets for itself; 2 more stay free for page
# loads and PUT /icon beside the SSE streams (host/portable/http_contract.h).
math(EXPR sockets_needed "${CONFIG_WASM_LED_MAX_SSE_CLIENTS} + 3 + 2")
# The captive portal's DNS responder takes one more (host/esp/phone_access.h).
if(CONFIG_WASM_LED_CAPTIVE_PORTAL)
    math(EXPR sockets_needed "${sockets_needed} + 1")
endif()
if(sockets_needed GREATER CONFIG_LWIP_MAX_SOCKETS)
    message(FATAL_ERROR
        "CONFIG_WASM_LED_MAX_SSE_CLIENTS=${CONFIG_WASM_LED_MAX_SSE_CLIENTS} needs LWIP_MAX_SOCKETS >= ${sockets_needed}, "
        "it is ${CONFIG_LWIP_MAX_SOCKETS}: lower the client count, or raise "
        "Component config -> LWIP -> Max number of open sockets (at most 16 on ESP-IDF 5.1.x, 5.2-5.2.3 "
        "and 5.3-5.3.1; up to 253 from 5.2.4, 5.3.2 and 5.4) together with LWIP_MAX_ACTIVE_TCP. "
        "See docs/firmware.md.")
endif()
