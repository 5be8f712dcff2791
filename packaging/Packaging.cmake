# Installation layout and CPack: a .deb (and a .tar.gz) with the binary, desktop entry and icon, the
# bundled maps and demo data, a default config and systemd units.
include(GNUInstallDirs)

install(FILES ${PROJECT_SOURCE_DIR}/packaging/stratus.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/stratus.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/maps ${PROJECT_SOURCE_DIR}/resources/demo
        DESTINATION ${CMAKE_INSTALL_DATADIR}/stratus)
install(FILES ${PROJECT_SOURCE_DIR}/resources/stratus.conf DESTINATION /etc/stratus)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/stratus-server.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/stratus-worker@.service
        DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/stratus.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# Debian's place for licences: the program's and the bundled data's.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/stratus)
# Monitoring: Prometheus scrape config, alert rules, Alertmanager example, Grafana dashboard.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/packaging/prometheus ${PROJECT_SOURCE_DIR}/packaging/grafana
        DESTINATION ${CMAKE_INSTALL_DATADIR}/stratus)

set(CPACK_PACKAGE_NAME stratus)
set(CPACK_PACKAGE_VENDOR "Stratus developers")
set(CPACK_PACKAGE_CONTACT "Stratus developers <stratus@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Weather-station monitor with an embedded stream engine")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_FILE_NAME "stratus_${PROJECT_VERSION}_amd64")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Plugins Qt loads at run time, which shlibdeps cannot see: the SQLite driver of the history store,
# the positioning plugins of --near auto, and the platform plugins (offscreen for the headless server).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6positioning6-plugins, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Stratus collects weather-station readings (NOAA NWS, Open-Meteo,\n recorded replays), aggregates them in event-time sliding windows, forecasts\n 1-24 h ahead, flags anomalies and shows a station map, charts and alerts.\n It runs as a desktop application, as a headless REST server\n (stratus-server.service) or as Kafka workers (stratus-worker@.service).")
include(CPack)
