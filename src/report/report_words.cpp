#include "report/report_words.hpp"

namespace mta {
namespace {

constexpr ReportWords kEnglish{
    .language = "en",
    .title = "Mail deliverability report",
    .files = "Files",
    .period = "Period",
    .lines = "Lines read",
    .replies = "SMTP replies",
    .replies_per_hour = "Replies per hour, by class",
    .replies_per_day = "Replies per day, by class",
    .replies_per_days = "Replies per {} days, by class",
    .replies_without_time = "Replies on lines without a time, not in the chart",
    .top_causes = "Top causes of failure",
    .cause = "Cause",
    .meaning = "Meaning",
    .remedy = "What to do",
    .providers_by_cause = "Failed outbound replies by provider and cause",
    .provider = "Provider",
    .total = "Total",
    .refusing_domains = "Remote domains with the most refusals",
    .refused_clients = "Client hosts refused most",
    .domain = "Domain",
    .client = "Client",
    .refusals = "Refusals",
    .estimated =
        "More than 10,000 different names were seen: a count marked ~ is an estimate, at most that many "
        "and at least that many less the number in brackets.",
    .delivery_delays = "Delivery delay of sent messages",
    .deferral_ages = "Queue age of deferred messages",
    .messages = "Messages",
    .percentile = "Percentile",
    .maximum = "maximum",
    .age = "Age in queue",
    .unmatched_lines = "Unmatched lines",
    .unmatched_note = "lines looked like mail-server outcomes but could not be read",
    .first_unmatched = "The first of them",
    .none_seen = "None in this period.",
    .age_bands = {"under 5 min", "5 min - 1 h", "1 h - 4 h", "4 h - 1 day", "1 - 2 days", "2 - 5 days",
                  "5 days and more"},
};

constexpr ReportWords kTurkish{
    .language = "tr",
    .title = "E-posta teslim raporu",
    .files = "Dosyalar",
    .period = "Dönem",
    .lines = "Okunan satırlar",
    .replies = "SMTP yanıtları",
    .replies_per_hour = "Saatlik yanıtlar, sınıfa göre",
    .replies_per_day = "Günlük yanıtlar, sınıfa göre",
    .replies_per_days = "{} günlük yanıtlar, sınıfa göre",
    .replies_without_time = "Zamanı olmayan satırlardaki yanıtlar, grafikte yer almaz",
    .top_causes = "En sık hata nedenleri",
    .cause = "Neden",
    .meaning = "Anlamı",
    .remedy = "Çözüm",
    .providers_by_cause = "Sağlayıcıya ve nedene göre başarısız giden yanıtlar",
    .provider = "Sağlayıcı",
    .total = "Toplam",
    .refusing_domains = "En çok reddeden uzak alan adları",
    .refused_clients = "En çok reddedilen istemciler",
    .domain = "Alan adı",
    .client = "İstemci",
    .refusals = "Ret",
    .estimated =
        "10.000'den fazla farklı ad görüldü: ~ ile işaretli sayı bir tahmindir; en çok o kadar, en az "
        "o sayıdan parantez içindeki sayı çıkarılmış kadardır.",
    .delivery_delays = "Gönderilen iletilerin teslim süresi",
    .deferral_ages = "Ertelenen iletilerin kuyruktaki yaşı",
    .messages = "İleti",
    .percentile = "Yüzdelik",
    .maximum = "en yüksek",
    .age = "Kuyruktaki yaş",
    .unmatched_lines = "Okunamayan satırlar",
    .unmatched_note = "satır bir posta sunucusu sonucuna benziyor ama okunamadı",
    .first_unmatched = "İlk örnekler",
    .none_seen = "Bu dönemde yok.",
    .age_bands = {"5 dk altı", "5 dk - 1 sa", "1 sa - 4 sa", "4 sa - 1 gün", "1 - 2 gün", "2 - 5 gün", "5 gün ve üstü"},
};

}  // namespace

std::optional<ReportWords> report_words(std::string_view language) {
  if (language == kEnglish.language) return kEnglish;
  if (language == kTurkish.language) return kTurkish;
  return std::nullopt;
}

}  // namespace mta
