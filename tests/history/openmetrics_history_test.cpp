#include "history/openmetrics_history.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace mta {
namespace {

constexpr std::string_view kFirst = R"(# HELP mta_rejects_total Mail refused "here".
# TYPE mta_rejects_total counter
mta_rejects_total{stage="rcpt"} 1
# HELP mta_exporter_build_info Build information.
# TYPE mta_exporter_build_info gauge
mta_exporter_build_info{version="0.1.0"} 1
)";

constexpr std::string_view kThird = R"(# HELP mta_rejects_total Mail refused "here".
# TYPE mta_rejects_total counter
mta_rejects_total{stage="data"} 2
mta_rejects_total{stage="rcpt"} 3
# HELP mta_exporter_build_info Build information.
# TYPE mta_exporter_build_info gauge
mta_exporter_build_info{version="0.1.0"} 1
# HELP mta_delay_seconds Delay.
# TYPE mta_delay_seconds histogram
mta_delay_seconds_bucket{le="+Inf"} 1
mta_delay_seconds_sum 0.1
mta_delay_seconds_count 1
)";

TEST(OpenMetricsHistoryTest, WritesEverySeriesAtEveryStepFromItsFirstScrape) {
  OpenMetricsHistory history(1000, 60);
  history.scrape(0, kFirst);
  history.scrape(2, kThird);  // nothing happened in step 1
  std::ostringstream out;
  history.write(out, 3);
  EXPECT_EQ(out.str(), R"(# TYPE mta_rejects counter
# HELP mta_rejects Mail refused \"here\".
mta_rejects_total{stage="rcpt"} 1 1000
mta_rejects_total{stage="rcpt"} 1 1060
mta_rejects_total{stage="rcpt"} 3 1120
mta_rejects_total{stage="rcpt"} 3 1180
mta_rejects_total{stage="data"} 2 1120
mta_rejects_total{stage="data"} 2 1180
# TYPE mta_exporter_build_info gauge
# HELP mta_exporter_build_info Build information.
mta_exporter_build_info{version="0.1.0"} 1 1000
mta_exporter_build_info{version="0.1.0"} 1 1060
mta_exporter_build_info{version="0.1.0"} 1 1120
mta_exporter_build_info{version="0.1.0"} 1 1180
# TYPE mta_delay_seconds histogram
# HELP mta_delay_seconds Delay.
mta_delay_seconds_bucket{le="+Inf"} 1 1120
mta_delay_seconds_sum 0.1 1120
mta_delay_seconds_count 1 1120
mta_delay_seconds_bucket{le="+Inf"} 1 1180
mta_delay_seconds_sum 0.1 1180
mta_delay_seconds_count 1 1180
# EOF
)");
  EXPECT_EQ(history.series_count(), 6u);
  EXPECT_EQ(history.sample_count(3), 16u);
}

// OpenMetrics keeps the samples of one histogram metric together at each time, and its metrics apart.
TEST(OpenMetricsHistoryTest, AHistogramsBucketsCountAndSumAreWrittenTogetherAtEachStep) {
  constexpr std::string_view kScrape = R"(# TYPE d_seconds histogram
d_seconds_bucket{mta="exim",le="1"} 1
d_seconds_bucket{mta="exim",le="+Inf"} 2
d_seconds_sum{mta="exim"} 3
d_seconds_count{mta="exim"} 2
d_seconds_bucket{le="1",mta="postfix"} 0
d_seconds_bucket{le="+Inf",mta="postfix"} 1
d_seconds_sum{mta="postfix"} 9
d_seconds_count{mta="postfix"} 1
)";
  OpenMetricsHistory history(0, 60);
  history.scrape(0, kScrape);
  std::ostringstream out;
  history.write(out, 1);
  EXPECT_EQ(out.str(), R"(# TYPE d_seconds histogram
d_seconds_bucket{mta="exim",le="1"} 1 0
d_seconds_bucket{mta="exim",le="+Inf"} 2 0
d_seconds_sum{mta="exim"} 3 0
d_seconds_count{mta="exim"} 2 0
d_seconds_bucket{mta="exim",le="1"} 1 60
d_seconds_bucket{mta="exim",le="+Inf"} 2 60
d_seconds_sum{mta="exim"} 3 60
d_seconds_count{mta="exim"} 2 60
d_seconds_bucket{le="1",mta="postfix"} 0 0
d_seconds_bucket{le="+Inf",mta="postfix"} 1 0
d_seconds_sum{mta="postfix"} 9 0
d_seconds_count{mta="postfix"} 1 0
d_seconds_bucket{le="1",mta="postfix"} 0 60
d_seconds_bucket{le="+Inf",mta="postfix"} 1 60
d_seconds_sum{mta="postfix"} 9 60
d_seconds_count{mta="postfix"} 1 60
# EOF
)");
}

TEST(OpenMetricsHistoryTest, ASampleWithoutAFamilyIsAnError) {
  OpenMetricsHistory history(0, 60);
  EXPECT_THROW(history.scrape(0, "orphan 1\n"), std::runtime_error);
  EXPECT_THROW(history.scrape(0, "# TYPE x counter\nx_total notanumber\n"), std::runtime_error);
}

}  // namespace
}  // namespace mta
