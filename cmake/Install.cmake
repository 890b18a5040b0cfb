# `cmake --install` lays out a system: the binary, the configuration, the systemd unit, and the alert
# rules and dashboards for Prometheus and Grafana.
include(GNUInstallDirs)

install(TARGETS mta_exporter RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
# The full path: with the prefix /usr, GNUInstallDirs puts the configuration in /etc, not /usr/etc.
install(FILES config/mta_exporter.toml DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/mta_exporter")

# The unit in deploy/ names the paths of a hand install; the installed copy names the real ones.
file(READ "${PROJECT_SOURCE_DIR}/deploy/mta_exporter.service" mta_unit)
string(REPLACE "/usr/local/bin/mta_exporter" "${CMAKE_INSTALL_FULL_BINDIR}/mta_exporter" mta_unit "${mta_unit}")
string(REPLACE "/etc/mta_exporter/" "${CMAKE_INSTALL_FULL_SYSCONFDIR}/mta_exporter/" mta_unit "${mta_unit}")
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/mta_exporter.service" CONTENT "${mta_unit}")
set(MTA_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" CACHE PATH "Where the systemd unit is installed")
install(FILES "${PROJECT_BINARY_DIR}/mta_exporter.service" DESTINATION "${MTA_SYSTEMD_UNIT_DIR}")

install(DIRECTORY alerts/ DESTINATION "${CMAKE_INSTALL_DATADIR}/mta-exporter/alerts")
install(DIRECTORY dashboards/ DESTINATION "${CMAKE_INSTALL_DATADIR}/mta-exporter/dashboards")
install(FILES README.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
