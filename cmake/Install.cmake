# `cmake --install` lays out a system: the binary, the configuration, the systemd unit, and the alert
# rules and dashboards for Prometheus and Grafana.
install(TARGETS mta_exporter RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
# The full path: with the prefix /usr, GNUInstallDirs puts the configuration in /etc, not /usr/etc. An
# installed configuration is the admin's: a later install leaves it alone and lays the shipped one
# beside it as mta_exporter.toml.dist. (file(INSTALL) adds DESTDIR itself; EXISTS needs it spelt out.)
set(mta_config_dir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/mta_exporter")
install(CODE "
  if(EXISTS \"\$ENV{DESTDIR}${mta_config_dir}/mta_exporter.toml\")
    file(INSTALL \"${PROJECT_SOURCE_DIR}/config/mta_exporter.toml\" DESTINATION \"${mta_config_dir}\"
         RENAME mta_exporter.toml.dist)
  else()
    file(INSTALL \"${PROJECT_SOURCE_DIR}/config/mta_exporter.toml\" DESTINATION \"${mta_config_dir}\")
  endif()")
# The web config example (TLS, basic auth) beside it: the admin copies it to web-config.yml, so a later
# install may replace the example itself.
install(FILES "${PROJECT_SOURCE_DIR}/config/web-config.example.yml" DESTINATION "${mta_config_dir}")

# The unit in deploy/ names the paths of a hand install; the installed copy names the real ones.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/deploy/mta_exporter.service")
file(READ "${PROJECT_SOURCE_DIR}/deploy/mta_exporter.service" mta_unit)
string(REPLACE "/usr/local/bin/mta_exporter" "${CMAKE_INSTALL_FULL_BINDIR}/mta_exporter" mta_unit "${mta_unit}")
string(REPLACE "/etc/mta_exporter/" "${CMAKE_INSTALL_FULL_SYSCONFDIR}/mta_exporter/" mta_unit "${mta_unit}")
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/mta_exporter.service" CONTENT "${mta_unit}")
set(MTA_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE PATH "Where the systemd unit is installed (relative: below the prefix)")
install(FILES "${PROJECT_BINARY_DIR}/mta_exporter.service" DESTINATION "${MTA_SYSTEMD_UNIT_DIR}")

install(DIRECTORY alerts/ DESTINATION "${CMAKE_INSTALL_DATADIR}/mta-exporter/alerts")
install(DIRECTORY dashboards/ DESTINATION "${CMAKE_INSTALL_DATADIR}/mta-exporter/dashboards")
install(FILES README.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES doc/mta_exporter.1 DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
